#![no_main]
factline_parsers_fuzz::parser_target!();

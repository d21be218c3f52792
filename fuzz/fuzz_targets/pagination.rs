//! A scripted registry (pages, cursors, bodies, statuses) through the client's paging stream:
//! it terminates within the limits and never requests a cursor twice.
#![no_main]

use mcp_registry_client::fuzzing::{PaginationInput, check_pagination};

libfuzzer_sys::fuzz_target!(|input: PaginationInput| check_pagination(&input));

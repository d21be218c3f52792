//! A random layered policy and request: the compiled evaluator agrees with the reference one.
#![no_main]

#[path = "../common/policy_input.rs"]
mod policy_input;

libfuzzer_sys::fuzz_target!(|input: policy_input::PolicyInput| input.check());

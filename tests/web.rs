#![cfg(target_arch = "wasm32")]
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;
wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = "import * as m from '../../wasm-bindgen-test.js';\nexport function probe() { return Object.keys(m).join(','); }")]
extern "C" {
    fn probe() -> String;
}

#[wasm_bindgen_test]
fn p() {
    let s = probe();
    web_sys::console::log_1(&s.clone().into());
    assert!(s.contains("Distribution"), "{s}");
}

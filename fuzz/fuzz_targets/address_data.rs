#![no_main]
//! The address-data assets' parser and the postal-code matcher (`sealpost::addrdata`): any
//! bytes as an asset under each path kind are parsed or refused with `invalid_address_data`;
//! a parsed asset checks addresses without panicking; any pattern/value pair gets a verdict or
//! `None`. The first byte picks the path, the rest is the asset text.

use libfuzzer_sys::fuzz_target;
use sealpost::{
    addrdata::{pattern, Atlas},
    Address,
};

const INDEX: &str = include_str!("../../src/data/cn/index.json");

fuzz_target!(|data: &[u8]| {
    let Some((&kind, rest)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(rest);
    let mut atlas = Atlas::new();
    let _ = atlas.add("cn/index.json", INDEX);
    let path = match kind % 4 {
        0 => "intl/US.json",
        1 => "cn/index.json",
        2 => "cn/33.json",
        _ => {
            let (p, v) = text.split_once('\n').unwrap_or((&text, ""));
            let _ = pattern::matches_whole(p, v);
            return;
        }
    };
    match atlas.add(path, &text) {
        Err(e) => assert_eq!(e.code(), "invalid_address_data"),
        Ok(()) => {
            for cc in ["US", "CN"] {
                let mut a = Address::default();
                a.name = "x".into();
                a.phone = "13812345678".into();
                a.country = cc.into();
                a.address_level1 = "浙江".into();
                a.address_level2 = "杭州".into();
                a.address_level3 = "西湖区".into();
                a.street_lines = vec!["1".into()];
                a.postal_code = "310012".into();
                let _ = atlas.problems(&a);
                if let Ok(c) = atlas.canonical(&a) {
                    assert!(atlas.problems(&c).is_empty());
                }
            }
        }
    }
});

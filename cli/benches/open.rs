//! Per-envelope cost, next to its floor: one raw X25519 Diffie-Hellman, measured in the same run;
//! and one seal to one courier. `cargo xtask bench cli` reads criterion's estimates of these
//! cases (`target/criterion/<case>/new/estimates.json`) into `target/bench/cli.json`.
//!
//! `cargo bench -p sealpost-cli --bench open` (or `cargo xtask bench`, which also runs the batch
//! benchmark). Opening needs one DH (the HPKE decapsulation) plus the key schedule; hpke 0.15
//! also recomputes the recipient's public key (a fixed-base multiplication) on every open.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use sealpost::{Address, Disclosure, Envelope, Identity};

fn address() -> Address {
    serde_json::from_str(
        r#"{"name":"张三","phone":"13812345678","country":"CN","addressLevel1":"浙江省",
        "addressLevel2":"杭州市","addressLevel3":"西湖区","streetLines":["文三路 90 号"],"postalCode":"310012"}"#,
    )
    .unwrap()
}

fn bench(c: &mut Criterion) {
    let courier = Identity::derive(&[0x11; 32]).unwrap();
    let envelope = Envelope::seal(
        &address(),
        &[courier.public_key().clone()],
        "ORD-1",
        Disclosure::None,
    )
    .unwrap();
    let text = envelope.to_string();
    let ids = [courier.clone()];

    let scalar = *courier.to_raw();
    let point = *Identity::derive(&[0x22; 32])
        .unwrap()
        .public_key()
        .as_bytes();
    let address = address();
    let to = [courier.public_key().clone()];
    c.bench_function("seal (one courier)", |b| {
        b.iter(|| Envelope::seal(black_box(&address), &to, "ORD-1", Disclosure::Country).unwrap())
    });
    c.bench_function("x25519 DH (floor)", |b| {
        b.iter(|| x25519_dalek::x25519(black_box(scalar), black_box(point)))
    });
    c.bench_function("open (parse + open)", |b| {
        b.iter(|| {
            let e: Envelope = black_box(&text).parse().unwrap();
            e.open(&ids, Some("ORD-1")).unwrap()
        })
    });
    c.bench_function("open (already parsed)", |b| {
        b.iter(|| black_box(&envelope).open(&ids, Some("ORD-1")).unwrap())
    });
    c.bench_function("parse only", |b| {
        b.iter(|| black_box(&text).parse::<Envelope>().unwrap())
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .warm_up_time(std::time::Duration::from_secs(1))
        .measurement_time(std::time::Duration::from_secs(3));
    targets = bench
}
criterion_main!(benches);

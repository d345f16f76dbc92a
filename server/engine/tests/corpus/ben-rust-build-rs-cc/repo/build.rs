fn main() {
    println!("cargo:rerun-if-changed=c/hash.c");
    let mut b = cc::Build::new();
    b.file("c/hash.c").include("c").opt_level(3);
    if std::env::var("CARGO_CFG_TARGET_ARCH").as_deref() == Ok("x86_64") {
        b.flag_if_supported("-msse4.1");
    }
    b.compile("hash");
}

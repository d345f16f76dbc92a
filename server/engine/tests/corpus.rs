//! The floor the engine holds over the labelled corpus (`tests/corpus/`, see its README): no
//! benign sample is SCAM or carries a critical finding, and every sample labelled SCAM is
//! SCAM. The whole evaluation table is printed first, so a failure shows what moved.

// The evaluation lives in the `eval` example; its `main` is unused here.
#[allow(dead_code)]
#[path = "../examples/eval.rs"]
mod eval;

#[test]
fn corpus_floor() {
    let report = eval::run(&eval::default_corpus()).expect("corpus loads and every sample scans");
    assert!(
        report.outcomes.len() >= 60,
        "the corpus shrank to {} samples",
        report.outcomes.len()
    );
    println!("{}", report.text());
    let violations = report.floor_violations();
    assert!(
        violations.is_empty(),
        "{} floor violation(s):\n{}",
        violations.len(),
        violations.join("\n")
    );
}

#[test]
fn labels_parse_both_spellings() {
    let a = eval::parse_label(
        "class = \"malicious\"\nfamilies = [\"scam.malware\", \"secrets\"]\nverdict = \"SCAM\"\nsource = \"x\"\n",
    )
    .unwrap();
    let b = eval::parse_label("class = malicious\nfamilies = scam.malware, secrets\nverdict = SCAM\n").unwrap();
    assert_eq!(a.families, b.families);
    assert_eq!(a.verdict, b.verdict);
    assert!(eval::parse_label("class = benign\nfamilies = secrets\nverdict = SAFU\n").is_err());
    assert!(eval::parse_label("class = benign\nverdict = maybe\n").is_err());
}

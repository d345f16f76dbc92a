fn main() {
    let args: Vec<String> = std::env::args().collect();
    println!("acmectl {}", args.get(1).map(String::as_str).unwrap_or("help"));
}

#[cfg(test)]
mod tests {
    #[test]
    fn runs() {
        assert_eq!(1 + 1, 2);
    }
}

//! Owner-power rules: each positive sits next to the near miss it must not confuse it with.

use super::*;
use crate::analysis::scanner::Scanner;

fn run(files: &[(&str, &str)]) -> Findings {
    let mut tree = FileTree::default();
    for (p, d) in files {
        tree.add(*p, d.as_bytes().to_vec());
    }
    let report = Scanner::global().scan_tree(&tree, &|_, _| {});
    analyse(&tree, &report)
}

fn kinds(f: &Findings) -> Vec<(PowerKind, String)> {
    let mut v: Vec<_> = f.powers.iter().map(|p| (p.kind, p.func.clone())).collect();
    v.sort();
    v
}

fn token(body: &str) -> String {
    format!(
        r#"// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;
import "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import "@openzeppelin/contracts/access/Ownable.sol";
contract Tok is ERC20, Ownable {{
    address public uniswapV2Pair;
    constructor() ERC20("Tok", "TOK") Ownable(msg.sender) {{ _mint(msg.sender, 1_000_000 ether); }}
{body}
}}
"#
    )
}

// An OpenZeppelin v5-shaped ERC20, Ownable and ERC20Pausable, as vendored copies ship them.
const OZ_ERC20: &str = r#"// SPDX-License-Identifier: MIT
// OpenZeppelin Contracts (last updated v5.0.0) (token/ERC20/ERC20.sol)
pragma solidity ^0.8.20;
abstract contract ERC20 is Context, IERC20, IERC20Metadata, IERC20Errors {
    mapping(address account => uint256) private _balances;
    uint256 private _totalSupply;
    function transfer(address to, uint256 value) public virtual returns (bool) {
        address owner = _msgSender();
        _transfer(owner, to, value);
        return true;
    }
    function _transfer(address from, address to, uint256 value) internal {
        if (from == address(0)) { revert ERC20InvalidSender(address(0)); }
        _update(from, to, value);
    }
    function _update(address from, address to, uint256 value) internal virtual {
        if (from == address(0)) { _totalSupply += value; } else {
            uint256 fromBalance = _balances[from];
            if (fromBalance < value) { revert ERC20InsufficientBalance(from, fromBalance, value); }
            unchecked { _balances[from] = fromBalance - value; }
        }
        unchecked { _balances[to] += value; }
    }
    function _mint(address account, uint256 value) internal { _update(address(0), account, value); }
    function _burn(address account, uint256 value) internal { _update(account, address(0), value); }
}
"#;
const OZ_OWNABLE: &str = r#"// OpenZeppelin Contracts (last updated v5.0.0) (access/Ownable.sol)
pragma solidity ^0.8.20;
abstract contract Ownable is Context {
    address private _owner;
    modifier onlyOwner() { _checkOwner(); _; }
    function owner() public view virtual returns (address) { return _owner; }
    function _checkOwner() internal view virtual {
        if (owner() != _msgSender()) { revert OwnableUnauthorizedAccount(_msgSender()); }
    }
    function renounceOwnership() public virtual onlyOwner { _transferOwnership(address(0)); }
    function transferOwnership(address newOwner) public virtual onlyOwner { _transferOwnership(newOwner); }
    function _transferOwnership(address newOwner) internal virtual { address oldOwner = _owner; _owner = newOwner; }
}
"#;
const OZ_PAUSABLE: &str = r#"// OpenZeppelin Contracts (last updated v5.0.0) (token/ERC20/extensions/ERC20Pausable.sol)
pragma solidity ^0.8.20;
abstract contract ERC20Pausable is ERC20, Pausable {
    function _update(address from, address to, uint256 value) internal virtual override whenNotPaused {
        super._update(from, to, value);
    }
}
contract ERC20PresetMinterPauser is ERC20Pausable, AccessControl {
    function mint(address to, uint256 amount) public virtual onlyRole(MINTER_ROLE) { _mint(to, amount); }
    function pause() public virtual onlyRole(PAUSER_ROLE) { _pause(); }
}
"#;

#[test]
fn openzeppelin_itself_has_no_findings() {
    let f = run(&[
        ("contracts/token/ERC20/ERC20.sol", OZ_ERC20),
        ("contracts/access/Ownable.sol", OZ_OWNABLE),
        ("contracts/token/ERC20/extensions/ERC20Pausable.sol", OZ_PAUSABLE),
    ]);
    assert_eq!(f.solidity_files, 3);
    assert!(f.powers.is_empty(), "{:?}", f.powers);
}

#[test]
fn vendored_and_test_sources_are_not_read() {
    let bad = token("    function mint(address to, uint256 a) external onlyOwner { _mint(to, a); }");
    for p in [
        "lib/openzeppelin-contracts/contracts/Tok.sol",
        "node_modules/x/Tok.sol",
        "test/Tok.sol",
        "src/Tok.t.sol",
        "contracts/mocks/Tok.sol",
    ] {
        assert!(run(&[(p, &bad)]).powers.is_empty(), "{p}");
    }
    assert_eq!(
        kinds(&run(&[("src/Tok.sol", &bad)])),
        vec![(PowerKind::Mint, "mint".into())]
    );
}

#[test]
fn fixed_supply_token_is_clean_and_mint_after_deploy_is_not() {
    let fixed = token("");
    assert!(run(&[("src/Tok.sol", &fixed)]).powers.is_empty());
    let minter = token("    function mint(address to, uint256 a) external onlyOwner { _mint(to, a); }");
    let f = run(&[("src/Tok.sol", &minter)]);
    assert_eq!(kinds(&f), vec![(PowerKind::Mint, "mint".into())]);
    assert!(f.powers[0].detail.contains("Tok.mint"));
    // Minting through an internal helper is still minting.
    let helper = token("    function airdrop(address to, uint256 a) external onlyOwner { _give(to, a); }\n    function _give(address to, uint256 a) internal { _mint(to, a); }");
    assert_eq!(
        kinds(&run(&[("src/Tok.sol", &helper)])),
        vec![(PowerKind::Mint, "airdrop".into())]
    );
    // Anyone may call `_mint` in a faucet: not an owner power.
    let faucet = token("    function faucet() external { _mint(msg.sender, 1 ether); }");
    assert!(run(&[("src/Tok.sol", &faucet)]).powers.is_empty());
}

#[test]
fn governance_token_with_capped_timelocked_mint_is_clean() {
    let gov = r#"pragma solidity ^0.8.20;
contract Gov is ERC20, ERC20Votes {
    address public minter;
    uint256 public mintingAllowedAfter;
    uint8 public constant mintCap = 2;
    function mint(address dst, uint256 amount) external {
        require(msg.sender == minter, "Gov::mint: only the minter can mint");
        require(block.timestamp >= mintingAllowedAfter, "Gov::mint: minting not allowed yet");
        mintingAllowedAfter = block.timestamp + 365 days;
        require(amount <= (totalSupply() * mintCap) / 100, "Gov::mint: exceeded mint cap");
        _mint(dst, amount);
    }
}
"#;
    assert!(run(&[("src/Gov.sol", gov)]).powers.is_empty());
    let capped = token("    uint256 public constant MAX_SUPPLY = 2_000_000 ether;\n    function mint(address to, uint256 a) external onlyOwner { require(totalSupply() + a <= MAX_SUPPLY, \"cap\"); _mint(to, a); }");
    assert!(run(&[("src/Tok.sol", &capped)]).powers.is_empty());
    let capped_base = "pragma solidity ^0.8.20;\ncontract T is ERC20Capped, Ownable {\n function mint(address to, uint256 a) external onlyOwner { _mint(to, a); }\n}\n";
    assert!(run(&[("src/T.sol", capped_base)]).powers.is_empty());
}

const UNISWAP_V2: &str = r#"pragma solidity =0.5.16;
contract UniswapV2ERC20 is IUniswapV2ERC20 {
    uint public totalSupply;
    mapping(address => uint) public balanceOf;
    function _mint(address to, uint value) internal {
        totalSupply = totalSupply.add(value);
        balanceOf[to] = balanceOf[to].add(value);
    }
    function _transfer(address from, address to, uint value) private {
        balanceOf[from] = balanceOf[from].sub(value);
        balanceOf[to] = balanceOf[to].add(value);
    }
    function transfer(address to, uint value) external returns (bool) { _transfer(msg.sender, to, value); return true; }
}
contract UniswapV2Pair is IUniswapV2Pair, UniswapV2ERC20 {
    address public factory;
    uint private unlocked = 1;
    modifier lock() { require(unlocked == 1, 'UniswapV2: LOCKED'); unlocked = 0; _; unlocked = 1; }
    function initialize(address _token0, address _token1) external {
        require(msg.sender == factory, 'UniswapV2: FORBIDDEN');
        token0 = _token0;
        token1 = _token1;
    }
    function _update(uint balance0, uint balance1, uint112 _reserve0, uint112 _reserve1) private {
        require(balance0 <= uint112(-1) && balance1 <= uint112(-1), 'UniswapV2: OVERFLOW');
        reserve0 = uint112(balance0);
    }
    function _mintFee(uint112 _reserve0, uint112 _reserve1) private returns (bool feeOn) {
        address feeTo = IUniswapV2Factory(factory).feeTo();
        if (liquidity > 0) _mint(feeTo, liquidity);
    }
    function mint(address to) external lock returns (uint liquidity) {
        bool feeOn = _mintFee(_reserve0, _reserve1);
        _mint(to, liquidity);
    }
}
contract UniswapV2Factory is IUniswapV2Factory {
    address public feeTo;
    address public feeToSetter;
    function setFeeTo(address _feeTo) external {
        require(msg.sender == feeToSetter, 'UniswapV2: FORBIDDEN');
        feeTo = _feeTo;
    }
    function setFeeToSetter(address _feeToSetter) external {
        require(msg.sender == feeToSetter, 'UniswapV2: FORBIDDEN');
        feeToSetter = _feeToSetter;
    }
}
"#;

#[test]
fn uniswap_v2_core_is_clean() {
    let f = run(&[("contracts/UniswapV2.sol", UNISWAP_V2)]);
    assert!(f.powers.is_empty(), "{:?}", f.powers);
}

#[test]
fn blacklist_checked_on_transfer_but_not_fee_exemptions() {
    let bl = token("    mapping(address => bool) public blacklisted;\n    function setBlacklist(address a, bool v) external onlyOwner { blacklisted[a] = v; }\n    function _update(address from, address to, uint256 value) internal override {\n        require(!blacklisted[from] && !blacklisted[to], \"blacklisted\");\n        super._update(from, to, value);\n    }");
    assert_eq!(
        kinds(&run(&[("src/Tok.sol", &bl)])),
        vec![(PowerKind::Blacklist, "setBlacklist".into())]
    );
    // Custom-error form.
    let bl2 = bl.replace(
        "require(!blacklisted[from] && !blacklisted[to], \"blacklisted\");",
        "if (blacklisted[from]) revert Blocked();",
    );
    assert_eq!(kinds(&run(&[("src/Tok.sol", &bl2)])).len(), 1);
    // Fee exemption read on transfer, set by the owner: not a gate on transfers.
    let exempt = token("    mapping(address => bool) public isExcludedFromFee;\n    function exclude(address a) external onlyOwner { isExcludedFromFee[a] = true; }\n    function _update(address from, address to, uint256 value) internal override {\n        if (isExcludedFromFee[from]) { super._update(from, to, value); return; }\n        super._update(from, to, value);\n    }");
    assert!(run(&[("src/Tok.sol", &exempt)]).powers.is_empty());
    // A mapping checked on transfer that the owner cannot set.
    let fixed = bl.replace(
        "function setBlacklist(address a, bool v) external onlyOwner { blacklisted[a] = v; }",
        "",
    );
    assert!(run(&[("src/Tok.sol", &fixed)]).powers.is_empty());
}

#[test]
fn pause_on_transfers_but_not_elsewhere() {
    let p = "pragma solidity ^0.8.20;\ncontract P is ERC20, ERC20Pausable, Ownable {\n    function pause() public onlyOwner { _pause(); }\n    function unpause() public onlyOwner { _unpause(); }\n    function _update(address f, address t, uint256 v) internal override(ERC20, ERC20Pausable) { super._update(f, t, v); }\n}\n";
    assert_eq!(
        kinds(&run(&[("src/P.sol", p)])),
        vec![(PowerKind::Pause, "pause".into())]
    );
    // Pausable staking: pausing claims, not token transfers.
    let staking = "pragma solidity ^0.8.20;\ncontract S is ERC20, Pausable, Ownable {\n    function pause() public onlyOwner { _pause(); }\n    function claim() external whenNotPaused { }\n}\n";
    assert!(run(&[("src/S.sol", staking)]).powers.is_empty());
    // A trading switch the owner can turn off again, next to a one-way launch switch.
    let switch = token("    bool public tradingOpen;\n    function setTrading(bool v) external onlyOwner { tradingOpen = v; }\n    function _update(address f, address t, uint256 v) internal override { require(tradingOpen || f == owner(), \"closed\"); super._update(f, t, v); }");
    assert_eq!(
        kinds(&run(&[("src/Tok.sol", &switch)])),
        vec![(PowerKind::Pause, "setTrading".into())]
    );
    let launch = switch.replace(
        "function setTrading(bool v) external onlyOwner { tradingOpen = v; }",
        "function openTrading() external onlyOwner { tradingOpen = true; }",
    );
    assert!(run(&[("src/Tok.sol", &launch)]).powers.is_empty());
}

fn fee_token(setter: &str, den: &str) -> String {
    token(&format!("    uint256 public buyFee = 3;\n    {setter}\n    function _update(address f, address t, uint256 v) internal override {{\n        if (f == uniswapV2Pair) {{ uint256 fee = v * buyFee / {den}; super._update(f, address(this), fee); v -= fee; }}\n        super._update(f, t, v);\n    }}"))
}

#[test]
fn fees_without_cap_or_above_ten_percent() {
    let uncapped = fee_token("function setFee(uint256 b) external onlyOwner { buyFee = b; }", "100");
    let f = run(&[("src/Tok.sol", &uncapped)]);
    assert_eq!(kinds(&f), vec![(PowerKind::Fee, "setFee".into())]);
    assert!(f.powers[0].detail.contains("no upper limit"));
    let capped = fee_token(
        "function setFee(uint256 b) external onlyOwner { require(b <= 10, \"max 10%\"); buyFee = b; }",
        "100",
    );
    assert!(run(&[("src/Tok.sol", &capped)]).powers.is_empty());
    let high_cap = fee_token(
        "function setFee(uint256 b) external onlyOwner { require(b <= 25, \"max\"); buyFee = b; }",
        "100",
    );
    let f = run(&[("src/Tok.sol", &high_cap)]);
    assert!(f.powers[0].detail.contains("25%"), "{:?}", f.powers);
    // Per-mille: a cap of 100 out of 1000 is 10%.
    let permille = fee_token(
        "function setFee(uint256 b) external onlyOwner { require(b <= 100, \"max\"); buyFee = b; }",
        "1000",
    );
    assert!(run(&[("src/Tok.sol", &permille)]).powers.is_empty());
    // A 20% tax literal, even with no setter.
    let literal = fee_token("", "100").replace("buyFee = 3", "buyFee = 20");
    let f = run(&[("src/Tok.sol", &literal)]);
    assert_eq!(f.powers.len(), 1);
    assert!(f.powers[0].detail.contains("20%"));
    // A fee the owner sets that is never charged on transfers.
    let unused = token("    uint256 public withdrawFee;\n    function setWithdrawFee(uint256 b) external onlyOwner { withdrawFee = b; }");
    assert!(run(&[("src/Tok.sol", &unused)]).powers.is_empty());
}

#[test]
fn max_transaction_limits_without_floor() {
    let lim = token("    uint256 public maxTxAmount = 10_000 ether;\n    function setMaxTx(uint256 m) external onlyOwner { maxTxAmount = m; }");
    assert_eq!(
        kinds(&run(&[("src/Tok.sol", &lim)])),
        vec![(PowerKind::Limits, "setMaxTx".into())]
    );
    let floored = lim.replace(
        "{ maxTxAmount = m; }",
        "{ require(m >= totalSupply() / 100, \"too low\"); maxTxAmount = m; }",
    );
    assert!(run(&[("src/Tok.sol", &floored)]).powers.is_empty());
    let remove = lim.replace(
        "function setMaxTx(uint256 m) external onlyOwner { maxTxAmount = m; }",
        "function removeLimits() external onlyOwner { maxTxAmount = totalSupply(); }",
    );
    assert!(run(&[("src/Tok.sol", &remove)]).powers.is_empty());
}

#[test]
fn balance_edits_and_burning_others() {
    let edit = "pragma solidity ^0.8.0;\ncontract T is IERC20, Ownable {\n    mapping(address => uint256) private _balances;\n    function _transfer(address f, address t, uint256 a) internal { _balances[f] -= a; _balances[t] += a; }\n    function adjust(address a, uint256 v) external onlyOwner { _balances[a] = v; }\n}\n";
    assert_eq!(
        kinds(&run(&[("src/T.sol", edit)])),
        vec![(PowerKind::Balances, "adjust".into())]
    );
    let burn_any = token("    function burnFrom2(address a, uint256 v) external onlyOwner { _burn(a, v); }");
    assert_eq!(
        kinds(&run(&[("src/Tok.sol", &burn_any)])),
        vec![(PowerKind::Balances, "burnFrom2".into())]
    );
    let burn_own = token("    function burn(uint256 v) external onlyOwner { _burn(msg.sender, v); }");
    assert!(run(&[("src/Tok.sol", &burn_own)]).powers.is_empty());
    // A burn from a holder that spends their allowance to the caller needs their consent
    // (OpenZeppelin's `_spendAllowance`; thirdweb re-approves `allowance(…) - amount`).
    let burn_from = |spend: &str| {
        token(&format!(
            "    function burnFrom(address a, uint256 v) external onlyOwner {{ {spend} _burn(a, v); }}"
        ))
    };
    for spend in [
        "_spendAllowance(a, msg.sender, v);",
        "uint256 left = allowance(a, msg.sender) - v; _approve(a, msg.sender, left);",
    ] {
        assert!(run(&[("src/Tok.sol", &burn_from(spend))]).powers.is_empty(), "{spend}");
    }
    // …but not a spend the owner skips, of another account, or that wraps below zero (before
    // 0.8 an unchecked subtraction does).
    for spend in [
        "if (msg.sender != owner()) _spendAllowance(a, msg.sender, v);",
        "if (msg.sender != owner()) { _spendAllowance(a, msg.sender, v); }",
        "_spendAllowance(owner(), msg.sender, v);",
    ] {
        assert_eq!(
            kinds(&run(&[("src/Tok.sol", &burn_from(spend))])),
            vec![(PowerKind::Balances, "burnFrom".into())],
            "{spend}"
        );
    }
    let unchecked = burn_from("uint256 left = allowance(a, msg.sender) - v; _approve(a, msg.sender, left);")
        .replace("pragma solidity ^0.8.20;", "pragma solidity ^0.7.6;");
    assert!(unchecked.contains("^0.7.6"));
    assert_eq!(
        kinds(&run(&[("src/Tok.sol", &unchecked)])),
        vec![(PowerKind::Balances, "burnFrom".into())]
    );
}

const SAFEMOON_LIKE: &str = r#"pragma solidity ^0.6.12;
contract Ownable is Context {
    address private _owner;
    address private _previousOwner;
    uint256 private _lockTime;
    constructor () internal { _owner = _msgSender(); }
    function owner() public view returns (address) { return _owner; }
    modifier onlyOwner() { require(_owner == _msgSender(), "Ownable: caller is not the owner"); _; }
    function renounceOwnership() public virtual onlyOwner { emit OwnershipTransferred(_owner, address(0)); _owner = address(0); }
    function transferOwnership(address newOwner) public virtual onlyOwner { _owner = newOwner; }
    function lock(uint256 time) public virtual onlyOwner {
        _previousOwner = _owner;
        _owner = address(0);
        _lockTime = now + time;
    }
    function unlock() public virtual {
        require(_previousOwner == msg.sender, "You don't have permission to unlock");
        require(now > _lockTime , "Contract is locked until 7 days");
        _owner = _previousOwner;
    }
}
contract MoonToken is Context, IERC20, Ownable {
    mapping (address => uint256) private _balances;
    mapping (address => bool) private _isBot;
    mapping (address => bool) private _isExcludedFromFee;
    uint256 private _totalSupply;
    uint256 public _taxFee = 5;
    uint256 public _maxTxAmount = 5000000 * 10**9;
    function _transfer(address from, address to, uint256 amount) private {
        require(!_isBot[from] && !_isBot[to], "bot");
        if (from != owner()) require(amount <= _maxTxAmount, "Transfer amount exceeds the maxTxAmount.");
        uint256 fee = _isExcludedFromFee[from] ? 0 : amount * _taxFee / 100;
        _balances[from] -= amount;
        _balances[to] += amount - fee;
    }
    function setBots(address[] memory bots_, bool v) public onlyOwner { for (uint i = 0; i < bots_.length; i++) { _isBot[bots_[i]] = v; } }
    function setTaxFeePercent(uint256 taxFee) external onlyOwner { _taxFee = taxFee; }
    function setMaxTxPercent(uint256 maxTxPercent) external onlyOwner { _maxTxAmount = _totalSupply.mul(maxTxPercent).div(10**2); }
    function excludeFromFee(address account) public onlyOwner { _isExcludedFromFee[account] = true; }
}
"#;

#[test]
fn safemoon_style_lock_unlock_and_powers() {
    let f = run(&[("contracts/MoonToken.sol", SAFEMOON_LIKE)]);
    let k = kinds(&f);
    assert!(k.contains(&(PowerKind::Blacklist, "setBots".into())), "{k:?}");
    assert!(k.contains(&(PowerKind::Fee, "setTaxFeePercent".into())), "{k:?}");
    assert!(k.contains(&(PowerKind::Limits, "setMaxTxPercent".into())), "{k:?}");
    assert!(k.contains(&(PowerKind::HiddenOwner, "lock".into())), "{k:?}");
    assert!(k.contains(&(PowerKind::HiddenOwner, "unlock".into())), "{k:?}");
    assert!(
        !k.iter()
            .any(|(_, n)| n == "excludeFromFee" || n == "transferOwnership" || n == "renounceOwnership"),
        "{k:?}"
    );
    assert!(f.powers.iter().all(|p| p.contract == "MoonToken"));

    // With a README promising safety: the high flag, quoting the claim.
    let a = assess(&f, "# MoonToken\n\nOwnership renounced, liquidity locked. 100% SAFU!\n");
    let c = &a.checks[0];
    assert_eq!((c.status, c.points), (CheckStatus::Fail, CLAIM_POINTS));
    assert!(
        c.detail.contains("Ownership renounced, liquidity locked"),
        "{}",
        c.detail
    );
    assert!(a.red_flags.iter().any(|r| r.severity == Severity::High));
    assert!(!a.critical_scam);
    // Without the claim: medium findings, capped.
    let a = assess(&f, "# MoonToken\n\nA community token.\n");
    assert_eq!((a.checks[0].status, a.checks[0].points), (CheckStatus::Warn, POWER_CAP));
    // "renounced" inside another word is not the claim.
    assert!(claim("unrenouncedly", &TOKEN_CLAIMS).is_none());
}

#[test]
fn claim_with_a_single_power_is_only_medium() {
    let minter = token("    function mint(address to, uint256 a) external onlyOwner { _mint(to, a); }");
    let f = run(&[("src/Tok.sol", &minter)]);
    let a = assess(&f, "Fair launch, no team tokens.");
    assert_eq!((a.checks[0].status, a.checks[0].points), (CheckStatus::Warn, -3));
}

#[test]
fn honeypot_sell_block_but_not_sell_fees_or_limits() {
    let hp = token("    mapping(address => bool) private _canSell;\n    function _update(address from, address to, uint256 v) internal override {\n        if (to == uniswapV2Pair && from != owner()) { require(_canSell[from], \"cannot sell\"); }\n        super._update(from, to, v);\n    }");
    let f = run(&[("src/Tok.sol", &hp)]);
    assert_eq!(kinds(&f), vec![(PowerKind::Honeypot, "_update".into())]);
    // The honeypot alone is the scam: critical, SCAM, whatever the README says.
    let a = assess(&f, "# Token\n\nA community token.\n");
    assert_eq!(
        (a.checks[0].status, a.checks[0].points),
        (CheckStatus::Fail, HONEYPOT_POINTS)
    );
    assert!(a.critical_scam);
    assert!(a.red_flags.iter().any(|r| r.severity == Severity::Critical));
    let fee = token("    mapping(address => bool) private _isExcludedFromFees;\n    function _update(address from, address to, uint256 v) internal override {\n        if (to == uniswapV2Pair && !_isExcludedFromFees[from]) { v = v * 95 / 100; }\n        super._update(from, to, v);\n    }");
    assert!(run(&[("src/Tok.sol", &fee)]).powers.is_empty());
    let limit = token("    uint256 public constant maxSell = 1000 ether;\n    mapping(address => bool) private _isExcludedFromLimits;\n    function _update(address from, address to, uint256 v) internal override {\n        if (to == uniswapV2Pair && !_isExcludedFromLimits[from]) { require(v <= maxSell, \"max sell\"); }\n        super._update(from, to, v);\n    }");
    assert!(run(&[("src/Tok.sol", &limit)]).powers.is_empty());
}

#[test]
fn honeypot_needs_whitelist_polarity_not_a_blacklist() {
    // A bot list checked on sells is a blacklist (the Blacklist power), not "only the listed
    // may sell": no honeypot, whether or not the owner is exempted around it.
    let bots = token("    mapping(address => bool) public bots;\n    function setBots(address a, bool v) external onlyOwner { bots[a] = v; }\n    function _update(address from, address to, uint256 v) internal override {\n        if (to == uniswapV2Pair) { require(!bots[from], \"bot\"); }\n        super._update(from, to, v);\n    }");
    let f = run(&[("src/Tok.sol", &bots)]);
    assert_eq!(kinds(&f), vec![(PowerKind::Blacklist, "setBots".into())]);
    assert!(!assess(&f, "# Token\n").critical_scam);
    let exempt = bots.replace(
        "if (to == uniswapV2Pair)",
        "if (to == uniswapV2Pair && from != owner())",
    );
    assert_eq!(
        kinds(&run(&[("src/Tok.sol", &exempt)])),
        vec![(PowerKind::Blacklist, "setBots".into())]
    );
    // The same read written `== false`, and a whitelist-shaped name on the same negation.
    let eq_false = bots.replace("require(!bots[from]", "require(bots[from] == false");
    assert_eq!(
        kinds(&run(&[("src/Tok.sol", &eq_false)])),
        vec![(PowerKind::Blacklist, "setBots".into())]
    );
    // Un-negated in the require: selling needs being listed, the honeypot.
    let allow = bots
        .replace("require(!bots[from]", "require(bots[from]")
        .replace("bots", "canSell");
    let k = kinds(&run(&[("src/Tok.sol", &allow)]));
    assert!(k.contains(&(PowerKind::Honeypot, "_update".into())), "{k:?}");

    // `if (…) revert`: the negated read is the whitelist, the plain read a blacklist.
    let wl = token("    mapping(address => bool) private _whitelist;\n    function _update(address from, address to, uint256 v) internal override {\n        if (to == uniswapV2Pair && !_whitelist[from]) revert();\n        super._update(from, to, v);\n    }");
    assert_eq!(
        kinds(&run(&[("src/Tok.sol", &wl)])),
        vec![(PowerKind::Honeypot, "_update".into())]
    );
    let bot_revert = wl
        .replace("!_whitelist[from]", "_isBot[from]")
        .replace("_whitelist;", "_isBot;");
    assert!(run(&[("src/Tok.sol", &bot_revert)]).powers.is_empty());
    // A blocklist name is never a whitelist, even read the whitelist way round.
    let bot_negated = wl.replace("_whitelist", "_isBlacklisted");
    assert!(run(&[("src/Tok.sol", &bot_negated)]).powers.is_empty());
    // The owner as the only seller (`owner()` followed by `)` once never matched): a honeypot;
    // the owner being the one stopped: none. The `_owner` spelling reads the same.
    let only_owner = token("    function _update(address from, address to, uint256 v) internal override {\n        if (to == uniswapV2Pair && from != owner()) revert();\n        super._update(from, to, v);\n    }");
    assert_eq!(
        kinds(&run(&[("src/Tok.sol", &only_owner)])),
        vec![(PowerKind::Honeypot, "_update".into())]
    );
    let owner_var = only_owner.replace("owner()", "_owner");
    assert_eq!(
        kinds(&run(&[("src/Tok.sol", &owner_var)])),
        vec![(PowerKind::Honeypot, "_update".into())]
    );
    let owner_blocked = only_owner.replace("from != owner()", "from == owner()");
    assert!(run(&[("src/Tok.sol", &owner_blocked)]).powers.is_empty());
}

#[test]
fn hostile_power_chains_in_literals_do_not_crash() {
    // 20,000 `**` in an initialiser, a setter, the constructor and a fee denominator: once a
    // stack overflow (aborting the server) or quadratic memory; now simply not a number.
    let chain = format!("2{}", "**2".repeat(20_000));
    let src = token(&format!("    uint256 public taxFee = {chain};\n    uint256 public constant FEE_DENOMINATOR = {chain};\n    function setTax() external onlyOwner {{ taxFee = {chain}; }}\n    function _update(address f, address t, uint256 v) internal override {{\n        if (t == uniswapV2Pair) {{ uint256 fee = v * taxFee / FEE_DENOMINATOR; super._update(f, address(this), fee); v -= fee; }}\n        super._update(f, t, v);\n    }}"));
    // Behaviour, not timing: it returns (no stack overflow), and finds no power in it.
    let f = run(&[("src/Tok.sol", &src)]);
    assert!(f.powers.is_empty(), "{:?}", f.powers);
    // Its near miss: a short power literal is still read (2**4 = 16% tax).
    let short = src
        .replace(&chain, "2**4")
        .replace("function setTax() external onlyOwner { taxFee = 2**4; }", "");
    let f = run(&[(
        "src/Tok.sol",
        &short.replace("FEE_DENOMINATOR = 2**4", "FEE_DENOMINATOR = 10**2"),
    )]);
    assert_eq!(f.powers.len(), 1, "{:?}", f.powers);
    assert!(f.powers[0].detail.contains("16%"), "{:?}", f.powers);
}

#[test]
fn ownership_renounce_overrides() {
    let noop = token("    function renounceOwnership() public override onlyOwner { }");
    assert_eq!(
        kinds(&run(&[("src/Tok.sol", &noop)])),
        vec![(PowerKind::HiddenOwner, "renounceOwnership".into())]
    );
    let honest = token("    function renounceOwnership() public pure override { revert(\"disabled\"); }");
    assert!(run(&[("src/Tok.sol", &honest)]).powers.is_empty());
    // A second privileged address keeps a power after renounce.
    let dev = token("    address private _dev;\n    modifier onlyDev() { require(msg.sender == _dev, \"dev\"); _; }\n    function devMint(uint256 a) external onlyDev { _mint(_dev, a); }");
    let k = kinds(&run(&[("src/Tok.sol", &dev)]));
    assert_eq!(
        k,
        vec![
            (PowerKind::Mint, "devMint".into()),
            (PowerKind::HiddenOwner, "devMint".into())
        ]
    );
}

#[test]
fn selfdestruct_delegatecall_and_upgrades() {
    let kill = token("    function kill() external onlyOwner { selfdestruct(payable(owner())); }");
    assert_eq!(
        kinds(&run(&[("src/Tok.sol", &kill)])),
        vec![(PowerKind::SelfDestruct, "kill".into())]
    );
    let proxy = "pragma solidity ^0.8.0;\ncontract Px is Ownable {\n    address public impl;\n    function setImpl(address i) external onlyOwner { impl = i; }\n    fallback() external payable { (bool ok, ) = impl.delegatecall(msg.data); require(ok); }\n}\n";
    assert_eq!(
        kinds(&run(&[("src/Px.sol", proxy)])),
        vec![(PowerKind::Delegatecall, "fallback".into())]
    );
    let fixed = proxy.replace(
        "function setImpl(address i) external onlyOwner { impl = i; }",
        "constructor(address i) { impl = i; }",
    );
    assert!(run(&[("src/Px.sol", &fixed)]).powers.is_empty());
    let multicall = "pragma solidity ^0.8.0;\ncontract M {\n function multicall(bytes[] calldata d) external { for (uint i; i < d.length; i++) { (bool ok, ) = address(this).delegatecall(d[i]); require(ok); } }\n}\n";
    assert!(run(&[("src/M.sol", multicall)]).powers.is_empty());
    let open = "pragma solidity ^0.8.20;\ncontract V is ERC20Upgradeable, UUPSUpgradeable, OwnableUpgradeable {\n    function _authorizeUpgrade(address) internal override {}\n}\n";
    assert_eq!(
        kinds(&run(&[("src/V.sol", open)])),
        vec![(PowerKind::Upgrade, "_authorizeUpgrade".into())]
    );
    let guarded = open.replace("internal override {}", "internal override onlyOwner {}");
    assert!(run(&[("src/V.sol", &guarded)]).powers.is_empty());
}

const ANCHOR_VAULT: &str = r#"use anchor_lang::prelude::*;
use anchor_spl::token::{self, SetAuthority, Token, TokenAccount, Transfer};
use spl_token::instruction::AuthorityType;

#[program]
pub mod vault {
    use super::*;
    pub fn deposit(ctx: Context<Deposit>, amount: u64) -> Result<()> {
        let cpi = Transfer { from: ctx.accounts.user_ata.to_account_info(), to: ctx.accounts.vault.to_account_info(), authority: ctx.accounts.user.to_account_info() };
        token::transfer(CpiContext::new(ctx.accounts.token_program.to_account_info(), cpi), amount)
    }
    pub fn withdraw(ctx: Context<UserWithdraw>, amount: u64) -> Result<()> {
        let seeds: &[&[u8]] = &[b"vault", &[ctx.bumps.vault]];
        token::transfer(CpiContext::new_with_signer(ctx.accounts.token_program.to_account_info(), Transfer { from: ctx.accounts.vault.to_account_info(), to: ctx.accounts.user_ata.to_account_info(), authority: ctx.accounts.vault.to_account_info() }, &[seeds]), amount)
    }
    pub fn emergency_withdraw(ctx: Context<AdminWithdraw>, amount: u64) -> Result<()> {
        let seeds: &[&[u8]] = &[b"vault", &[ctx.bumps.vault]];
        token::transfer(CpiContext::new_with_signer(ctx.accounts.token_program.to_account_info(), Transfer { from: ctx.accounts.vault.to_account_info(), to: ctx.accounts.admin_ata.to_account_info(), authority: ctx.accounts.vault.to_account_info() }, &[seeds]), amount)
    }
    pub fn hand_over_mint(ctx: Context<AdminWithdraw>) -> Result<()> {
        token::set_authority(CpiContext::new(ctx.accounts.token_program.to_account_info(), SetAuthority { current_authority: ctx.accounts.admin.to_account_info(), account_or_mint: ctx.accounts.mint.to_account_info() }), AuthorityType::MintTokens, Some(ctx.accounts.admin.key()))
    }
    pub fn revoke_mint(ctx: Context<AdminWithdraw>) -> Result<()> {
        token::set_authority(CpiContext::new(ctx.accounts.token_program.to_account_info(), SetAuthority { current_authority: ctx.accounts.admin.to_account_info(), account_or_mint: ctx.accounts.mint.to_account_info() }), AuthorityType::MintTokens, None)
    }
}

#[derive(Accounts)]
pub struct AdminWithdraw<'info> {
    #[account(mut, has_one = admin)]
    pub config: Account<'info, Config>,
    pub admin: Signer<'info>,
    #[account(mut, seeds = [b"vault"], bump)]
    pub vault: Account<'info, TokenAccount>,
}

#[derive(Accounts)]
pub struct UserWithdraw<'info> {
    #[account(mut, has_one = owner)]
    pub user_position: Account<'info, Position>,
    pub owner: Signer<'info>,
    #[account(mut, seeds = [b"vault"], bump)]
    pub vault: Account<'info, TokenAccount>,
}
"#;

#[test]
fn solana_admin_withdrawal_and_retained_authority() {
    let f = run(&[("programs/vault/src/lib.rs", ANCHOR_VAULT)]);
    assert_eq!(f.program_files, 1);
    let k = kinds(&f);
    assert_eq!(
        k,
        vec![
            (PowerKind::Authority, "hand_over_mint".into()),
            (PowerKind::Withdraw, "emergency_withdraw".into()),
        ],
        "{:?}",
        f.powers
    );
    // The README says immutable while admin instructions exist: high.
    let a = assess(&f, "The program is immutable: nobody can touch your funds.");
    assert_eq!(a.checks[0].points, CLAIM_POINTS);
    assert!(
        a.checks[0].detail.contains("emergency_withdraw"),
        "{}",
        a.checks[0].detail
    );
    // Without deposits from users, the admin moves the program's own funds.
    let no_users = ANCHOR_VAULT
        .replace("pub fn deposit(", "pub fn top_up(")
        .replace("Context<Deposit>", "Context<TopUp>");
    let k = kinds(&run(&[("programs/vault/src/lib.rs", &no_users)]));
    assert!(!k.iter().any(|(k, _)| *k == PowerKind::Withdraw), "{k:?}");
}

#[test]
fn solana_freeze_and_mint_by_admin_only() {
    let src = r#"use anchor_lang::prelude::*;
#[program]
pub mod t {
    use super::*;
    pub fn freeze(ctx: Context<Admin>) -> Result<()> { token::freeze_account(CpiContext::new(p, FreezeAccount { account: a, mint: m, authority: x })) }
    pub fn mint_more(ctx: Context<Admin>, n: u64) -> Result<()> { token::mint_to(CpiContext::new(p, MintTo { mint: m, to: t, authority: x }), n) }
    pub fn claim(ctx: Context<Claim>) -> Result<()> { token::mint_to(CpiContext::new(p, MintTo { mint: m, to: t, authority: x }), 1) }
}
#[derive(Accounts)]
pub struct Admin<'info> {
    #[account(constraint = config.admin == signer.key())]
    pub config: Account<'info, Config>,
    pub signer: Signer<'info>,
}
#[derive(Accounts)]
pub struct Claim<'info> { pub user: Signer<'info> }
"#;
    let k = kinds(&run(&[("programs/t/src/lib.rs", src)]));
    assert_eq!(
        k,
        vec![
            (PowerKind::Mint, "mint_more".into()),
            (PowerKind::Authority, "freeze".into())
        ]
    );
    let plain = "fn main() { println!(\"hello\"); }\n";
    let f = run(&[("src/main.rs", plain)]);
    assert_eq!((f.program_files, f.solidity_files), (0, 0));
    assert_eq!(assess(&f, "").checks[0].status, CheckStatus::Info);
}

#[test]
fn supply_changing_balance_writes_are_mints_with_their_cap() {
    // Uni-style: `balances[dst] = add96(...)` next to a total supply update, capped.
    let uni = "pragma solidity ^0.5.16;\ncontract Uni {\n    uint public totalSupply;\n    address public minter;\n    uint8 public constant mintCap = 2;\n    mapping (address => uint96) internal balances;\n    function transfer(address dst, uint rawAmount) external returns (bool) { _transferTokens(msg.sender, dst, uint96(rawAmount)); return true; }\n    function _transferTokens(address src, address dst, uint96 amount) internal { balances[src] = sub96(balances[src], amount, \"x\"); balances[dst] = add96(balances[dst], amount, \"x\"); }\n    function mint(address dst, uint rawAmount) external {\n        require(msg.sender == minter, \"Uni::mint: only the minter can mint\");\n        uint96 amount = safe96(rawAmount, \"x\");\n        require(amount <= SafeMath.div(SafeMath.mul(totalSupply, mintCap), 100), \"Uni::mint: exceeded mint cap\");\n        totalSupply = safe96(SafeMath.add(totalSupply, amount), \"x\");\n        balances[dst] = add96(balances[dst], amount, \"x\");\n    }\n}\n";
    assert!(run(&[("contracts/Uni.sol", uni)]).powers.is_empty());
    let uncapped = uni.replace("        require(amount <= SafeMath.div(SafeMath.mul(totalSupply, mintCap), 100), \"Uni::mint: exceeded mint cap\");\n", "");
    assert_eq!(
        kinds(&run(&[("contracts/Uni.sol", &uncapped)])),
        vec![(PowerKind::Mint, "mint".into())]
    );
}

#[test]
fn internal_setters_and_forwarding_helpers_are_not_powers_themselves() {
    // Circle-style Ownable: an internal `setOwner`, called by the owner-only transfer.
    let own = "pragma solidity 0.6.12;\ncontract Ownable {\n    address private _owner;\n    function owner() external view returns (address) { return _owner; }\n    function setOwner(address newOwner) internal { _owner = newOwner; }\n    modifier onlyOwner() { require(msg.sender == _owner, \"Ownable: caller is not the owner\"); _; }\n    function transferOwnership(address newOwner) external onlyOwner { setOwner(newOwner); }\n}\ncontract Helper is Ownable { function ping() external {} }\n";
    assert!(run(&[("contracts/Helper.sol", own)]).powers.is_empty());
    // …but a public function reaching it without the owner check re-claims ownership.
    let open = own.replace("function ping() external {}", "function claim() external { require(msg.sender == _backup); setOwner(msg.sender); }\n    address private _backup;");
    assert_eq!(
        kinds(&run(&[("contracts/Helper.sol", &open)])),
        vec![(PowerKind::HiddenOwner, "claim".into())]
    );
    // Compound-style delegator: `delegateTo(callee, …)` is internal; the fallback's
    // changeable implementation is the one power.
    let del = "pragma solidity ^0.8.10;\ncontract D {\n    address public implementation;\n    address public admin;\n    function _setImplementation(address i) external { require(msg.sender == admin, \"only admin\"); implementation = i; }\n    function delegateTo(address callee, bytes memory data) internal returns (bytes memory) { (bool ok, bytes memory r) = callee.delegatecall(data); return r; }\n    function delegateToImplementation(bytes memory data) public returns (bytes memory) { return delegateTo(implementation, data); }\n    fallback() external payable { (bool success, ) = implementation.delegatecall(msg.data); }\n}\n";
    assert_eq!(
        kinds(&run(&[("contracts/D.sol", del)])),
        vec![(PowerKind::Delegatecall, "fallback".into())]
    );
}

#[test]
fn native_program_instructions_are_not_scored_as_powers() {
    // SPL token-swap's initialize mints the pool's first tokens under a signer check: a
    // native dispatcher gives no reliable "admin" to judge it by (measured on the SPL repo).
    let native = r#"use solana_program::{account_info::{next_account_info, AccountInfo}, program::invoke_signed};
pub fn process_initialize(program_id: &Pubkey, accounts: &[AccountInfo]) -> ProgramResult {
    let iter = &mut accounts.iter();
    let authority = next_account_info(iter)?;
    if authority.key != &admin_key { return Err(ProgramError::InvalidAccountData); }
    invoke_signed(&spl_token::instruction::mint_to(token_program.key, pool_mint.key, dest.key, authority.key, &[], 100)?, accounts, &[seeds])?;
    Ok(())
}
"#;
    let f = run(&[("token-swap/program/src/processor.rs", native)]);
    assert!(kinds(&f).is_empty());
    // …but reported as information, for 0 points.
    assert_eq!(f.native_powers.len(), 1, "{:?}", f.native_powers);
    let a = assess(&f, "");
    assert_eq!((a.checks[0].status, a.checks[0].points), (CheckStatus::Info, 0));
    assert!(a.checks[0].detail.contains("not scored"), "{}", a.checks[0].detail);
    assert!(a.red_flags.is_empty());
}

#[test]
fn an_owner_check_delegated_to_a_hook_is_an_owner_check() {
    // thirdweb's Ownable extension: `setOwner` asks `_canSetOwner()`, which each contract
    // overrides with its own caller check.
    let ownable = "pragma solidity ^0.8.0;\nabstract contract Ownable {\n    address private _owner;\n    error OwnableUnauthorized();\n    function owner() public view returns (address) { return _owner; }\n    function setOwner(address _newOwner) external {\n        if (!_canSetOwner()) {\n            revert OwnableUnauthorized();\n        }\n        _setupOwner(_newOwner);\n    }\n    function _setupOwner(address _newOwner) internal { _owner = _newOwner; }\n    function _canSetOwner() internal view virtual returns (bool);\n}\n";
    let drop = |hook: &str| {
        format!("{ownable}contract Drop is Ownable {{\n    constructor(address a) {{ _setupOwner(a); }}\n    function _canSetOwner() internal view virtual override returns (bool) {{ {hook} }}\n}}\n")
    };
    for checked in [
        "return msg.sender == owner();",
        "return _hasRole(DEFAULT_ADMIN_ROLE, _msgSender());",
    ] {
        assert!(
            run(&[("contracts/Drop.sol", &drop(checked))]).powers.is_empty(),
            "{checked}"
        );
    }
    // A hook that is not required, checks someone else or nobody, or is never implemented,
    // is no check.
    let not_required = drop("return msg.sender == owner();").replace("if (!_canSetOwner())", "if (_canSetOwner())");
    let other_account = drop("return _hasRole(DEFAULT_ADMIN_ROLE, tx.origin);").replace(
        "contract Drop is Ownable {\n",
        "contract Drop is Ownable {\n    function me() external view returns (address) { return msg.sender; }\n",
    );
    let unimplemented = format!("{ownable}contract Paymaster is Ownable {{\n    function pay() external {{ require(msg.sender == owner()); }}\n}}\n");
    for (name, src) in [
        ("not required", &not_required),
        ("other account", &other_account),
        ("unimplemented", &unimplemented),
    ] {
        let found = run(&[("contracts/Drop.sol", src)]);
        assert!(
            found
                .powers
                .iter()
                .any(|p| p.kind == PowerKind::HiddenOwner && p.func == "setOwner"),
            "{name}: {:?}",
            kinds(&found)
        );
    }
    // A hook that lets anyone through, or someone other than the owner, re-claims ownership.
    for open in ["return msg.sender != address(0);", "return msg.sender == _dev;"] {
        let src = drop(open).replace(
            "contract Drop is Ownable {\n",
            "contract Drop is Ownable {\n    address private _dev;\n",
        );
        assert_eq!(
            kinds(&run(&[("contracts/Drop.sol", &src)])),
            vec![(PowerKind::HiddenOwner, "setOwner".into())],
            "{open}"
        );
    }
}

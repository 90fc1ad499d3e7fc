pragma circom 2.1.0;

// The zkmargin number contract, circuit side.
//
// Mirrors zkmargin/constants.py value for value (bit widths, scales, limits);
// tests/test_contract.py compiles a main that outputs every function below
// and checks it against the Python constants.  Change both files together.
//
// Signed values use the field encoding r + x for x < 0 and must lie in
// [-2^(b-1), 2^(b-1)); unsigned values lie in [0, 2^b).

// Position quantity in lots (1 lot = 1/1000 contract), signed: |qty| < 2^40.
function QTY_BITS() { return 41; }

// Risk-array entry and mark value, signed micro-units per lot.
function RISK_BITS() { return 41; }

// Short-option-minimum charge, unsigned micro-units per lot.
function CHARGE_BITS() { return 40; }

// Collateral balance, unsigned, in 1e-8 units of the asset.
function BALANCE_BITS() { return 64; }

// Collateral price, unsigned micro-units per whole asset unit.
function PRICE_BITS() { return 48; }

// Collateral risk-array entry, signed micro-units per whole asset unit.
function ASSET_RISK_BITS() { return 56; }

// Size-tier threshold, unsigned 1e-8 units of the underlying (tier rates are PRICE_BITS wide).
function TIER_BITS() { return 63; }

// Margin multiplier in basis points: 1 <= m < 2^MULT_BITS.
function MULT_BITS() { return 20; }

// Every aggregate money value (losses, scan risk, IM, MM, collateral value, equity), signed: |x| < 2^96.
function MONEY_BITS() { return 97; }

// One in basis points (rates, haircuts, multipliers); also the haircut maximum.
function BP() { return 10000; }

// Collateral balances are integers of 1e-8 asset units.
function BALANCE_SCALE() { return 100000000; }

// Money is in micro-units of the quote currency.
function MONEY_SCALE() { return 1000000; }

// Quantities are in lots of 1/1000 contract.
function QTY_SCALE() { return 1000; }

// Largest haircut, in basis points (100 %).
function MAX_HAIRCUT_BP() { return 10000; }

// Largest inter-underlying credit, in basis points (80 %, EMIR RTS 153/2013 Art. 27).
function MAX_CREDIT_BP() { return 8000; }

// Most positions per account.
function MAX_POSITIONS() { return 256; }

// Most collateral assets per account.
function MAX_ASSETS() { return 64; }

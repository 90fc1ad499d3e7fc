pragma circom 2.1.0;

// Test main for tests/test_contract.py: outputs every number-contract function.

include "lib/contract.circom";

template ContractValues() {
    signal output out[17];
    out[0] <== QTY_BITS();
    out[1] <== RISK_BITS();
    out[2] <== CHARGE_BITS();
    out[3] <== BALANCE_BITS();
    out[4] <== PRICE_BITS();
    out[5] <== MULT_BITS();
    out[6] <== MONEY_BITS();
    out[7] <== BP();
    out[8] <== BALANCE_SCALE();
    out[9] <== MONEY_SCALE();
    out[10] <== QTY_SCALE();
    out[11] <== MAX_HAIRCUT_BP();
    out[12] <== MAX_POSITIONS();
    out[13] <== MAX_ASSETS();
    out[14] <== ASSET_RISK_BITS();
    out[15] <== TIER_BITS();
    out[16] <== MAX_CREDIT_BP();
}

component main = ContractValues();

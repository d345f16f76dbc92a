import * as anchor from "@coral-xyz/anchor";
import { assert } from "chai";

describe("staking", () => {
  anchor.setProvider(anchor.AnchorProvider.env());
  it("stakes and unstakes", async () => {
    assert.ok(true);
  });
});

use anchor_lang::prelude::*;
use anchor_spl::token::{self, Token, TokenAccount, Transfer};

declare_id!("11111111111111111111111111111111");

const FEE_BPS: u64 = 50;

#[program]
pub mod staking {
    use super::*;

    pub fn stake(ctx: Context<Stake>, amount: u64) -> Result<()> {
        let fee = amount * FEE_BPS / 10_000;
        token::transfer(
            CpiContext::new(
                ctx.accounts.token_program.to_account_info(),
                Transfer {
                    from: ctx.accounts.user_token.to_account_info(),
                    to: ctx.accounts.stake_vault.to_account_info(),
                    authority: ctx.accounts.user.to_account_info(),
                },
            ),
            amount - fee,
        )?;
        token::transfer(
            CpiContext::new(
                ctx.accounts.token_program.to_account_info(),
                Transfer {
                    from: ctx.accounts.user_token.to_account_info(),
                    to: ctx.accounts.fee_vault.to_account_info(),
                    authority: ctx.accounts.user.to_account_info(),
                },
            ),
            fee,
        )?;
        ctx.accounts.position.amount += amount - fee;
        Ok(())
    }

    pub fn unstake(ctx: Context<Unstake>, amount: u64) -> Result<()> {
        require!(ctx.accounts.position.amount >= amount, StakingError::Insufficient);
        ctx.accounts.position.amount -= amount;
        let seeds: &[&[u8]] = &[b"vault", &[ctx.accounts.config.vault_bump]];
        token::transfer(
            CpiContext::new_with_signer(
                ctx.accounts.token_program.to_account_info(),
                Transfer {
                    from: ctx.accounts.stake_vault.to_account_info(),
                    to: ctx.accounts.user_token.to_account_info(),
                    authority: ctx.accounts.vault_authority.to_account_info(),
                },
                &[seeds],
            ),
            amount,
        )?;
        Ok(())
    }

    pub fn collect_fees(ctx: Context<CollectFees>) -> Result<()> {
        let seeds: &[&[u8]] = &[b"vault", &[ctx.accounts.config.vault_bump]];
        let amount = ctx.accounts.fee_vault.amount;
        token::transfer(
            CpiContext::new_with_signer(
                ctx.accounts.token_program.to_account_info(),
                Transfer {
                    from: ctx.accounts.fee_vault.to_account_info(),
                    to: ctx.accounts.treasury.to_account_info(),
                    authority: ctx.accounts.vault_authority.to_account_info(),
                },
                &[seeds],
            ),
            amount,
        )?;
        Ok(())
    }
}

#[account]
pub struct Config {
    pub admin: Pubkey,
    pub vault_bump: u8,
}

#[account]
pub struct Position {
    pub owner: Pubkey,
    pub amount: u64,
}

#[derive(Accounts)]
pub struct Stake<'info> {
    #[account(mut)]
    pub user: Signer<'info>,
    #[account(mut)]
    pub user_token: Account<'info, TokenAccount>,
    #[account(mut, seeds = [b"stake"], bump)]
    pub stake_vault: Account<'info, TokenAccount>,
    #[account(mut, seeds = [b"fees"], bump)]
    pub fee_vault: Account<'info, TokenAccount>,
    #[account(mut, seeds = [b"position", user.key().as_ref()], bump)]
    pub position: Account<'info, Position>,
    pub token_program: Program<'info, Token>,
}

#[derive(Accounts)]
pub struct Unstake<'info> {
    pub user: Signer<'info>,
    #[account(mut)]
    pub user_token: Account<'info, TokenAccount>,
    pub config: Account<'info, Config>,
    #[account(mut, seeds = [b"stake"], bump)]
    pub stake_vault: Account<'info, TokenAccount>,
    #[account(mut, has_one = owner, seeds = [b"position", user.key().as_ref()], bump)]
    pub position: Account<'info, Position>,
    /// CHECK: must equal the signer
    #[account(address = user.key())]
    pub owner: UncheckedAccount<'info>,
    /// CHECK: PDA signer
    #[account(seeds = [b"vault"], bump = config.vault_bump)]
    pub vault_authority: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

#[derive(Accounts)]
pub struct CollectFees<'info> {
    #[account(has_one = admin)]
    pub config: Account<'info, Config>,
    pub admin: Signer<'info>,
    #[account(mut, seeds = [b"fees"], bump)]
    pub fee_vault: Account<'info, TokenAccount>,
    #[account(mut)]
    pub treasury: Account<'info, TokenAccount>,
    /// CHECK: PDA signer
    #[account(seeds = [b"vault"], bump = config.vault_bump)]
    pub vault_authority: UncheckedAccount<'info>,
    pub token_program: Program<'info, Token>,
}

#[error_code]
pub enum StakingError {
    #[msg("insufficient stake")]
    Insufficient,
}

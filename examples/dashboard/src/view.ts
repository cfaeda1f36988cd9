/**
 * What the Dashboard may see of the signed-in person, gathered from Gatehouse for one page:
 * the user API (account id, email, linked identities), userinfo (phone), and the token detail.
 */
import { type AnyUserFields, type GatehouseClient, IDENTITY_SCOPES, type TokenSet, type UserInfo } from '@gatehouse/sdk';

/** A linked identity the person allowed the Dashboard to see, or an empty slot for one not linked yet. */
export interface IdentityRow {
  scope: string;
  label: string;
  /** Absent when the person has not linked this kind of identity. */
  value?: string;
  detail?: string;
}

export interface DashboardView {
  accountId: string;
  email?: string;
  phone?: string;
  /** The person let the Dashboard see their email / phone (it may still have none). */
  emailShared: boolean;
  phoneShared: boolean;
  identities: IdentityRow[];
  token: { clientId: string; expiresAt: Date; scope: string[]; ending: string };
  canRefresh: boolean;
}

const SOCIAL: Record<string, string> = { Twitter: 'X (Twitter)', Discord: 'Discord', Github: 'GitHub', Telegram: 'Telegram' };
const WALLETS: Record<string, string> = {
  EVMAddress: 'EVM address',
  SolanaAddress: 'Solana address',
  SeiAddress: 'Sei address',
  AptosAddress: 'Aptos address',
  InjectiveAddress: 'Injective address',
  FlowAddress: 'Flow address',
};

/** One row per granted identity scope, in the catalogue's order. */
export function identityRows(granted: readonly string[], user: AnyUserFields): IdentityRow[] {
  const rows: IdentityRow[] = [];
  for (const scope of IDENTITY_SCOPES) {
    if (!granted.includes(scope)) continue;
    const social = SOCIAL[scope];
    const wallet = WALLETS[scope];
    if (social) {
      const username = user[`${scope}Username`];
      const id = user[`${scope}UserID`];
      rows.push({ scope, label: social, ...(username ? { value: username } : {}), ...(id ? { detail: `user id ${id}` } : {}) });
    } else if (wallet) {
      const address = user[scope];
      rows.push({ scope, label: wallet, ...(address ? { value: address } : {}) });
    }
  }
  return rows;
}

/** Loads the page's data; rejects with the SDK's typed errors (an `invalid_token` means the session is over). */
export async function loadView(gatehouse: GatehouseClient, tokens: TokenSet): Promise<DashboardView> {
  const wantsUserInfo = tokens.scope.includes('openid');
  const [user, detail, info] = await Promise.all([
    gatehouse.getUser(tokens.accessToken),
    gatehouse.tokenDetail(tokens.accessToken),
    wantsUserInfo ? gatehouse.userInfo(tokens.accessToken, tokens.claims?.sub) : Promise.resolve<UserInfo | undefined>(undefined),
  ]);
  const email = user.Email ?? info?.email;
  const phone = info?.phone_number;
  return {
    accountId: user.GatehouseID ?? tokens.claims?.sub ?? info?.sub ?? '',
    ...(email ? { email } : {}),
    ...(phone ? { phone } : {}),
    emailShared: detail.scope.includes('Email') || detail.scope.includes('email'),
    phoneShared: detail.scope.includes('phone'),
    identities: identityRows(detail.scope, user),
    // Only the end of the token: enough to see that Refresh changed it, too little to use it.
    token: { clientId: detail.clientId, expiresAt: detail.expiresAt, scope: detail.scope, ending: tokens.accessToken.slice(-6) },
    canRefresh: tokens.refreshToken !== undefined,
  };
}

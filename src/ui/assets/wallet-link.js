// Gatehouse: link a wallet with the wallet in this browser. Served from Gatehouse's own
// origin (the pages' policy allows no inline script). The page works without it: this only
// reveals the "connect" button, asks the wallet for its address and a signature, and posts
// both to the same forms the copy-paste path uses, asking for JSON.

const root = document.querySelector('.wallet-link');
const section = root?.querySelector('[data-wallet]');
if (root && section) start(root, section);

function start(root, section) {
  const adapter = adapters(root.dataset)[root.dataset.kind];
  const button = section.querySelector('[data-action="connect"]');
  const status = section.querySelector('[data-status]');
  if (!adapter || !button || !status) return;

  const say = (text, isError = false) => {
    status.textContent = text;
    status.classList.toggle('error', isError);
    status.setAttribute('role', isError ? 'alert' : 'status');
  };
  const refresh = () => {
    section.hidden = false;
    const found = adapter.available();
    button.hidden = !found;
    if (!found) say(section.dataset.missing ?? '');
    else if (!button.disabled) say('');
  };
  adapter.watch?.(refresh);
  refresh();

  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      say('Asking your wallet for its address…');
      const account = await adapter.connect();
      say('Writing the message to sign…');
      const challenge = await post(root, root.dataset.challengeUrl, {
        address: account.address,
        ...(account.chainId ? { chain_id: account.chainId } : {}),
      });
      say('Sign the message in your wallet.');
      const proof = await adapter.sign(challenge, account);
      say('Checking the signature…');
      const result = await post(root, root.dataset.verifyUrl, { nonce: challenge.nonce, ...proof });
      say('Linked. Taking you back…');
      window.location.assign(result.redirect_to);
    } catch (err) {
      say(describe(err), true);
      button.disabled = false;
    }
  });
}

/** Posts the page's form fields (CSRF token, where to return) plus `fields`; the answer as JSON. */
async function post(root, url, fields) {
  const token = root.querySelector('input[name="_csrf"]')?.value ?? '';
  const body = new URLSearchParams({ _csrf: token, ...fields });
  if (root.dataset.returnTo) body.set('return_to', root.dataset.returnTo);
  const response = await fetch(url, {
    method: 'POST',
    headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
    body,
    credentials: 'same-origin',
  });
  let data;
  try {
    data = await response.json();
  } catch {
    data = undefined;
  }
  if (!response.ok) {
    const fallback =
      response.status === 403
        ? 'This page has expired. Reload it and try again.'
        : 'Something went wrong. Reload the page and try again.';
    throw new Error(data?.error_description ?? fallback);
  }
  return data;
}

function describe(err) {
  const code = err?.code;
  const text = String(err?.message ?? err ?? '');
  // EIP-1193 4001, and the words other wallets use when the person says no.
  if (code === 4001 || /reject|denied|declined|cancel/i.test(text)) return 'You declined in your wallet. Nothing was linked.';
  return text || 'Your wallet did not answer. Try again, or sign the message yourself below.';
}

const hexOf = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const base64Of = (bytes) => btoa(String.fromCharCode(...bytes));
const utf8 = (text) => new TextEncoder().encode(text);
const keyText = (key) => {
  if (typeof key === 'string') return key;
  if (key instanceof Uint8Array) return `0x${hexOf(key)}`;
  return key?.toString ? String(key.toString()) : '';
};

function adapters(data) {
  return {
    evm: ethereum(),
    solana: solana(),
    aptos: aptos(),
    sei: keplr(data.chainId),
    injective: keplr(data.chainId),
  };
}

/** EIP-1193: window.ethereum, eth_requestAccounts, then personal_sign of the UTF-8 message. */
function ethereum() {
  const provider = () => window.ethereum;
  return {
    available: () => typeof provider()?.request === 'function',
    async connect() {
      const [address] = await provider().request({ method: 'eth_requestAccounts' });
      if (!address) throw new Error('Your wallet shared no account.');
      let chainId;
      try {
        chainId = await provider().request({ method: 'eth_chainId' });
      } catch {
        chainId = undefined;
      }
      return { address, chainId };
    },
    async sign(challenge, account) {
      const signature = await provider().request({
        method: 'personal_sign',
        params: [`0x${hexOf(utf8(challenge.message))}`, account.address],
      });
      return { signature };
    },
  };
}

/** The Solana wallet standard (solana:signMessage), or the older window.solana / Phantom provider. */
function solana() {
  const standard = [];
  const legacy = () => window.phantom?.solana ?? window.solana;
  const usable = (w) =>
    w?.features?.['standard:connect'] &&
    w.features['solana:signMessage'] &&
    (w.chains ?? []).some((chain) => String(chain).startsWith('solana:'));
  return {
    available: () => standard.length > 0 || typeof legacy()?.signMessage === 'function',
    watch(changed) {
      const register = (...wallets) => {
        for (const w of wallets) if (usable(w) && !standard.includes(w)) standard.push(w);
        changed();
        return () => {};
      };
      window.addEventListener('wallet-standard:register-wallet', (event) => {
        try {
          event.detail({ register });
        } catch {
          // A wallet that fails to register is simply not offered.
        }
      });
      window.dispatchEvent(new CustomEvent('wallet-standard:app-ready', { detail: { register } }));
    },
    async connect() {
      const wallet = standard[0];
      if (wallet) {
        const { accounts } = await wallet.features['standard:connect'].connect();
        const account = (accounts?.length ? accounts : wallet.accounts)?.[0];
        if (!account) throw new Error('Your wallet shared no account.');
        return { address: account.address, wallet, account };
      }
      const provider = legacy();
      const answer = await provider.connect();
      return { address: String(answer?.publicKey ?? provider.publicKey), provider };
    },
    async sign(challenge, connected) {
      const message = utf8(challenge.message);
      if (connected.wallet) {
        const [out] = await connected.wallet.features['solana:signMessage'].signMessage({ account: connected.account, message });
        const signed = new TextDecoder().decode(out.signedMessage);
        // A wallet may sign a text of its own making; the server then says what is wrong with it.
        return { signature: base64Of(out.signature), ...(signed !== challenge.message ? { message: signed } : {}) };
      }
      const out = await connected.provider.signMessage(message, 'utf8');
      return { signature: base64Of(out.signature ?? out) };
    },
  };
}

/** Petra (window.aptos or window.petra): signMessage({message, nonce}) signs its "full message". */
function aptos() {
  const provider = () => window.aptos ?? window.petra;
  return {
    available: () => typeof provider()?.signMessage === 'function',
    async connect() {
      const answer = await provider().connect();
      const account = answer?.address ? answer : await provider().account();
      return { address: String(account.address), publicKey: keyText(account.publicKey?.[0] ?? account.publicKey) };
    },
    async sign(challenge, account) {
      const out = await provider().signMessage({ message: challenge.wallet.message, nonce: challenge.wallet.nonce });
      return { message: out.fullMessage, signature: keyText(out.signature), public_key: account.publicKey };
    },
  };
}

/** Keplr: enable the chain, read the account, signArbitrary (ADR-036). */
function keplr(chainId) {
  return {
    available: () => typeof window.keplr?.signArbitrary === 'function',
    async connect() {
      await window.keplr.enable(chainId);
      const key = await window.keplr.getKey(chainId);
      return { address: key.bech32Address };
    },
    async sign(challenge) {
      const out = await window.keplr.signArbitrary(challenge.wallet.chainId, challenge.wallet.signer, challenge.message);
      return { signature: JSON.stringify(out) };
    },
  };
}

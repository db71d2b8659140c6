/**
 * A register entry's in-repository policy (`"policy": { "kind": "guix", … }`): where the allow list lives
 * when it is not the entry's `keys`/`allow`. One parser per kind; a kind this siggate does not know is
 * refused (exit 2), naming `policy.kind`.
 */
import { parseIntroSigner } from './guix-authorizations.js';

/** A Guix channel's policy: the introduction is the range's trust root, the keys come from the keyring branch. */
export interface GuixDeployPolicy {
  kind: 'guix';
  /** The channel introduction: a full commit id (lower case). */
  intro: string;
  /** The fingerprint that signed the introduction: 40 hex, upper case. */
  introSigner: string;
  /** The keyring branch; null: `.guix-channel`'s `keyring-reference` at the target, else `keyring`. */
  keyringRef: string | null;
}

/** A sequoia-git policy: the trust root is the commit whose `openpgp-policy.toml` is trusted as given. */
export interface SequoiaDeployPolicy {
  kind: 'sequoia';
  /** The trust root: a full commit id (lower case). */
  trustRoot: string;
}

/** The in-repository policies a register entry may name. */
export type DeployPolicy = GuixDeployPolicy | SequoiaDeployPolicy;

type Fail = (field: string, why: string) => never;

const FULL_OID = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/i;
const BAD_REF = /[\s\0~^:?*[\\]|\.\.|@\{/;

const PARSERS: Readonly<Record<string, (raw: Record<string, unknown>, fail: Fail) => DeployPolicy>> = {
  guix: parseGuixPolicy,
  sequoia: parseSequoiaPolicy,
};

/** The entry's `policy` checked; null when absent. A problem names the field (`policy.intro`, …). */
export function parseDeployPolicy(value: unknown, fail: Fail): DeployPolicy | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) return fail('policy', 'must be an object: { "kind": "guix", "intro": …, "introSigner": … }');
  const raw = value as Record<string, unknown>;
  const kind = raw['kind'];
  if (typeof kind !== 'string' || !Object.hasOwn(PARSERS, kind)) return fail('policy.kind', `must be one of ${Object.keys(PARSERS).join(', ')}`);
  return PARSERS[kind]!(raw, fail);
}

function parseGuixPolicy(raw: Record<string, unknown>, fail: Fail): GuixDeployPolicy {
  for (const key of Object.keys(raw)) if (!['kind', 'intro', 'introSigner', 'keyringRef'].includes(key)) fail(`policy.${key}`, 'is not a field of policy guix');
  const intro = raw['intro'];
  if (typeof intro !== 'string' || !FULL_OID.test(intro)) fail('policy.intro', "is required: the channel introduction's full commit id");
  const introSigner = typeof raw['introSigner'] === 'string' ? parseIntroSigner(raw['introSigner']) : null;
  if (!introSigner) fail('policy.introSigner', 'is required: the 40-hex fingerprint that signed the introduction (spaces allowed)');
  const keyringRef = raw['keyringRef'] ?? null;
  if (keyringRef !== null && (typeof keyringRef !== 'string' || keyringRef === '' || keyringRef.startsWith('-') || BAD_REF.test(keyringRef))) {
    fail('policy.keyringRef', 'must be a branch name');
  }
  return { kind: 'guix', intro: (intro as string).toLowerCase(), introSigner: introSigner!, keyringRef: keyringRef as string | null };
}

function parseSequoiaPolicy(raw: Record<string, unknown>, fail: Fail): SequoiaDeployPolicy {
  for (const key of Object.keys(raw)) if (!['kind', 'trustRoot'].includes(key)) fail(`policy.${key}`, 'is not a field of policy sequoia');
  const trustRoot = raw['trustRoot'];
  if (typeof trustRoot !== 'string' || !FULL_OID.test(trustRoot)) fail('policy.trustRoot', 'is required: the full id of the commit whose openpgp-policy.toml you trust');
  return { kind: 'sequoia', trustRoot: (trustRoot as string).toLowerCase() };
}

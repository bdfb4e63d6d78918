// WalletClient: what a wallet app (web, or a native app through this SDK) does. WebCrypto only,
// so it runs in Node 20 and in browsers. The device key never leaves the device; the server only
// ever sees its public half and signatures over texts it can show the user.

import { generatePaymentCode, importPaymentCodeKey, type GeneratedPaymentCode, type PaymentCodeCryptoKey } from '../core/qr/payment-code.js';
import { HttpClient, type HttpOptions } from './http.js';
import type { CodeResolution, Consumer, Device, FraudReport, Payment, PreparedPayment, Merchant, Till } from './types.js';

type Subtle = (typeof globalThis)['crypto']['subtle'];
type CryptoKeyLike = Awaited<ReturnType<Subtle['importKey']>>;

/** A device's P-256 key pair: the private key may be non-extractable (a browser keeps it in IndexedDB). */
export interface DeviceKey {
  readonly privateKey: CryptoKeyLike;
  /** SPKI DER, base64url: what the server stores. */
  readonly publicKeySpki: string;
}

/** What a bound device keeps: its id, key, payment-code secret and index. */
export interface DeviceState {
  readonly deviceId: string;
  readonly deviceIndex: number;
  readonly key: DeviceKey;
  readonly paymentCodeKey: PaymentCodeCryptoKey;
}

function b64u(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromB64u(text: string): Uint8Array {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

export async function createDeviceKey(extractable = false): Promise<DeviceKey> {
  const pair = (await globalThis.crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, extractable, ['sign', 'verify'])) as {
    privateKey: CryptoKeyLike;
    publicKey: CryptoKeyLike;
  };
  const spki = new Uint8Array(await globalThis.crypto.subtle.exportKey('spki', pair.publicKey));
  return { privateKey: pair.privateKey, publicKeySpki: b64u(spki) };
}

/** ECDSA P-256 / SHA-256 over the UTF-8 text, r||s in base64url (WebCrypto's own format). */
export async function signMessage(key: DeviceKey, message: string): Promise<string> {
  const signature = await globalThis.crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key.privateKey, new TextEncoder().encode(message));
  return b64u(new Uint8Array(signature));
}

export type Amount = number | bigint;
const n = (amount: Amount | undefined) => (amount === undefined ? undefined : Number(amount));

export class WalletClient {
  readonly http: HttpClient;
  device: DeviceState | undefined;
  consumerId: string | undefined;

  constructor(options: HttpOptions & { device?: DeviceState; sessionToken?: string }) {
    this.http = new HttpClient(options);
    this.device = options.device;
    this.http.token = options.sessionToken;
  }

  get sessionToken(): string | undefined {
    return this.http.token;
  }

  private requireDevice(): DeviceState {
    if (!this.device) throw new Error('this wallet has no bound device yet: signUp() or requestDevice() first');
    return this.device;
  }

  private async bind(device: { id: string; deviceIndex: number }, key: DeviceKey, paymentCodeKey: string): Promise<DeviceState> {
    this.device = { deviceId: device.id, deviceIndex: device.deviceIndex, key, paymentCodeKey: await importPaymentCodeKey(fromB64u(paymentCodeKey)) };
    return this.device;
  }

  /** Sign up and bind this device; the client is signed in afterwards. */
  async signUp(input: { identifier: string; displayName: string; label?: string; key?: DeviceKey }): Promise<{ consumer: Consumer; device: Device }> {
    const key = input.key ?? (await createDeviceKey());
    const r = await this.http.request<{ consumer: Consumer; device: Device; paymentCodeKey: string; session: { token: string } }>('POST', '/v1/consumers', {
      body: { identifier: input.identifier, displayName: input.displayName, device: { publicKey: key.publicKeySpki, label: input.label ?? 'wallet' } },
    });
    await this.bind(r.device, key, r.paymentCodeKey);
    this.http.token = r.session.token;
    this.consumerId = r.consumer.id;
    return { consumer: r.consumer, device: r.device };
  }

  /** A new device asks to join an account (pending until approved or identity re-verified). */
  async requestDevice(input: { identifier: string; label?: string; key?: DeviceKey }): Promise<Device> {
    const key = input.key ?? (await createDeviceKey());
    const r = await this.http.request<{ device: Device; paymentCodeKey: string }>('POST', '/v1/consumers/devices', {
      body: { identifier: input.identifier, device: { publicKey: key.publicKeySpki, label: input.label ?? 'new device' } },
    });
    await this.bind(r.device, key, r.paymentCodeKey);
    return r.device;
  }

  async activateByIdentity(input: { name: string; idNumber: string }): Promise<Device> {
    return this.http.request('POST', `/v1/consumers/devices/${encodeURIComponent(this.requireDevice().deviceId)}/verify-identity`, { body: input });
  }

  /**
   * Sign in with a device key whose sign-up answer was lost: the server finds the device by its
   * public key; afterwards `rotatePaymentCode(pin)` restores the payment-code secret.
   */
  async signInWithKey(key: DeviceKey): Promise<string> {
    const challenge = await this.http.request<{ challengeId: string; message: string; deviceId: string }>('POST', '/v1/sessions/challenge', { body: { publicKey: key.publicKeySpki } });
    const signature = await signMessage(key, challenge.message);
    const session = await this.http.request<{ token: string }>('POST', '/v1/sessions', { body: { deviceId: challenge.deviceId, challengeId: challenge.challengeId, signature } });
    this.http.token = session.token;
    const device = (await this.devices()).find((d) => d.id === challenge.deviceId)!;
    this.device = { deviceId: device.id, deviceIndex: device.deviceIndex, key, paymentCodeKey: this.device?.paymentCodeKey as PaymentCodeCryptoKey };
    return device.id;
  }

  /** A new payment-code secret for this device (the PIN is needed); old codes stop working. */
  async rotatePaymentCode(pin: string): Promise<Device> {
    const device = this.requireDevice();
    const r = await this.http.request<{ device: Device; paymentCodeKey: string }>('POST', `/v1/wallet/devices/${encodeURIComponent(device.deviceId)}/payment-code/rotate`, { body: { pin } });
    await this.bind(r.device, device.key, r.paymentCodeKey);
    return r.device;
  }

  /** Sign in: the device signs the server's challenge. */
  async signIn(): Promise<void> {
    const device = this.requireDevice();
    const challenge = await this.http.request<{ challengeId: string; message: string }>('POST', '/v1/sessions/challenge', { body: { deviceId: device.deviceId } });
    const signature = await signMessage(device.key, challenge.message);
    const session = await this.http.request<{ token: string }>('POST', '/v1/sessions', { body: { deviceId: device.deviceId, challengeId: challenge.challengeId, signature } });
    this.http.token = session.token;
  }

  async signOut(): Promise<void> {
    await this.http.request('POST', '/v1/sessions/logout');
    this.http.token = undefined;
  }

  async bankTransfers(options: { limit?: number; cursor?: string } = {}): Promise<{ items: Record<string, unknown>[]; nextCursor: string | null }> {
    return this.http.request('GET', '/v1/wallet/bank-transfers', { query: options });
  }

  async me(): Promise<{ consumer: Consumer; balance: { availableMinor: number; pendingMinor: number; currency: string } }> {
    return this.http.request('GET', '/v1/wallet');
  }

  async setPin(pin: string, currentPin?: string): Promise<void> {
    await this.http.request('POST', '/v1/wallet/pin', { body: { pin, ...(currentPin ? { currentPin } : {}) } });
  }

  async resetPin(input: { name: string; idNumber: string; newPin: string }): Promise<void> {
    await this.http.request('POST', '/v1/wallet/pin/reset', { body: input });
  }

  async verifyIdentity(input: { name: string; idNumber: string; bankAccount?: string }): Promise<Consumer> {
    return this.http.request('POST', '/v1/wallet/identity', { body: input });
  }

  async devices(): Promise<Device[]> {
    return (await this.http.request<{ devices: Device[] }>('GET', '/v1/wallet/devices')).devices;
  }

  /** Approve a pending device of this account by signing the approval with this device. */
  async approveDevice(deviceId: string): Promise<Device> {
    const challenge = await this.http.request<{ challengeId: string; message: string }>('POST', `/v1/wallet/devices/${encodeURIComponent(deviceId)}/approve-challenge`);
    const signature = await signMessage(this.requireDevice().key, challenge.message);
    return this.http.request('POST', `/v1/wallet/devices/${encodeURIComponent(deviceId)}/approve`, { body: { challengeId: challenge.challengeId, signature } });
  }

  async revokeDevice(deviceId: string): Promise<Device> {
    return this.http.request('POST', `/v1/wallet/devices/${encodeURIComponent(deviceId)}/revoke`);
  }

  async enablePaymentCode(pin: string, deviceId = this.requireDevice().deviceId): Promise<Device> {
    return this.http.request('POST', `/v1/wallet/devices/${encodeURIComponent(deviceId)}/payment-code/enable`, { body: { pin } });
  }

  /** The one-time payment code to show (18 digits; the QR code holds the same digits). Offline. */
  async paymentCode(nowMs: number = Date.now()): Promise<GeneratedPaymentCode> {
    const device = this.requireDevice();
    return generatePaymentCode({ key: device.paymentCodeKey, deviceIndex: device.deviceIndex, nowMs });
  }

  /** What a scanned code is (verdict, registered payee), before asking for an amount. */
  async resolve(code: string): Promise<CodeResolution> {
    return this.http.request('POST', '/v1/wallet/codes/resolve', { body: { code } });
  }

  /** "This wasn't me": report a payment this wallet made. */
  async reportPayment(paymentId: string, input: { reason: 'unauthorised' | 'scam' | 'wrong_payee' | 'other'; description?: string }): Promise<FraudReport> {
    return this.http.request('POST', `/v1/wallet/payments/${encodeURIComponent(paymentId)}/report`, { body: input });
  }

  /** Report a scanned code as fraud. */
  async reportCode(code: string, description?: string): Promise<FraudReport> {
    return this.http.request('POST', '/v1/wallet/code-reports', { body: description === undefined ? { code } : { code, description } });
  }

  async reports(): Promise<FraudReport[]> {
    return (await this.http.request<{ items: FraudReport[] }>('GET', '/v1/wallet/reports')).items;
  }

  /** Resolve a scanned code or a person: the registered payee and the text to approve. */
  async prepare(input: { code?: string; payeeIdentifier?: string; amountMinor?: Amount; currency?: string; description?: string }): Promise<PreparedPayment> {
    return this.http.request('POST', '/v1/wallet/payments/prepare', { body: { ...input, amountMinor: n(input.amountMinor) } });
  }

  /** Approve exactly what was prepared: the device signs its message. */
  async confirmPrepared(prepared: PreparedPayment, options: { pin?: string; idempotencyKey?: string } = {}): Promise<Payment> {
    const signature = await signMessage(this.requireDevice().key, prepared.message);
    return this.http.request('POST', '/v1/wallet/payments', {
      body: { challengeId: prepared.challengeId, signature, ...(options.pin ? { pin: options.pin } : {}) },
      ...(options.idempotencyKey ? { idempotencyKey: options.idempotencyKey } : {}),
    });
  }

  /** Scan and pay in one call (a UI shows `prepare`'s payee first; this is for scripts and tests). */
  async pay(input: { code: string; amountMinor?: Amount; pin?: string }): Promise<Payment> {
    const prepared = await this.prepare({ code: input.code, amountMinor: input.amountMinor });
    return this.confirmPrepared(prepared, { pin: input.pin });
  }

  async transfer(input: { to: string; amountMinor: Amount; pin?: string; description?: string }): Promise<Payment> {
    const prepared = await this.prepare({ payeeIdentifier: input.to, amountMinor: input.amountMinor, description: input.description });
    return this.confirmPrepared(prepared, { pin: input.pin });
  }

  async confirmations(): Promise<Payment[]> {
    return (await this.http.request<{ payments: Payment[] }>('GET', '/v1/wallet/confirmations')).payments;
  }

  /** Confirm a merchant-scanned payment waiting for this consumer: signature plus PIN. */
  async confirm(paymentId: string, pin: string): Promise<Payment> {
    const challenge = await this.http.request<PreparedPayment>('POST', `/v1/wallet/confirmations/${encodeURIComponent(paymentId)}/challenge`);
    const signature = await signMessage(this.requireDevice().key, challenge.message);
    return this.http.request('POST', `/v1/wallet/confirmations/${encodeURIComponent(paymentId)}`, { body: { challengeId: challenge.challengeId, signature, pin } });
  }

  async decline(paymentId: string): Promise<Payment> {
    return this.http.request('POST', `/v1/wallet/confirmations/${encodeURIComponent(paymentId)}/decline`);
  }

  async history(options: { limit?: number; beforeMs?: number } = {}): Promise<Payment[]> {
    return (await this.http.request<{ payments: Payment[] }>('GET', '/v1/wallet/payments', { query: options })).payments;
  }

  async payment(paymentId: string): Promise<Payment> {
    return this.http.request('GET', `/v1/wallet/payments/${encodeURIComponent(paymentId)}`);
  }

  async receivingCode(displayName?: string): Promise<{ merchant: Merchant; till: Till }> {
    return this.http.request('POST', '/v1/wallet/receiving-code', { body: displayName ? { displayName } : {} });
  }

  async topUp(input: { amountMinor: Amount; bankAccount: string; currency?: string }): Promise<Record<string, unknown>> {
    return this.http.request('POST', '/v1/wallet/topups', { body: { amountMinor: n(input.amountMinor), currency: input.currency ?? 'CNY', bankAccount: input.bankAccount } });
  }

  async withdraw(input: { amountMinor: Amount; bankAccount: string; pin: string; currency?: string }): Promise<Record<string, unknown>> {
    return this.http.request('POST', '/v1/wallet/withdrawals', {
      body: { amountMinor: n(input.amountMinor), currency: input.currency ?? 'CNY', bankAccount: input.bankAccount, pin: input.pin },
    });
  }
}

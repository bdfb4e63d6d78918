// What this phone keeps: the bound device (localStorage), the session (localStorage), the
// payment-code secret (a non-extractable WebCrypto key in IndexedDB: script on the page can use it
// to make codes, never read its bytes) and the offset of the server's clock.

import type { PaymentCodeCryptoKey } from '../../src/core/qr/payment-code.js';

export interface StoredDevice {
  readonly consumerId: string;
  readonly deviceId: string;
  readonly deviceIndex: number;
  readonly identifier: string;
  readonly displayName: string;
}

export interface StoredSession {
  readonly token: string;
  readonly expiresAtMs: number;
}

const DEVICE_KEY = 'saoma.wallet.device';
const SESSION_KEY = 'saoma.wallet.session';
const CLOCK_KEY = 'saoma.wallet.clockOffsetMs';
const BANK_KEY = 'saoma.wallet.bankAccount';

function readJson<T>(key: string): T | undefined {
  try {
    const text = localStorage.getItem(key);
    return text ? (JSON.parse(text) as T) : undefined;
  } catch {
    return undefined;
  }
}

export function loadDevice(): StoredDevice | undefined {
  const d = readJson<StoredDevice>(DEVICE_KEY);
  return d && typeof d.deviceId === 'string' && Number.isInteger(d.deviceIndex) ? d : undefined;
}

export function saveDevice(device: StoredDevice): void {
  localStorage.setItem(DEVICE_KEY, JSON.stringify(device));
}

export function loadSession(): StoredSession | undefined {
  const s = readJson<StoredSession>(SESSION_KEY);
  return s && typeof s.token === 'string' && s.expiresAtMs > Date.now() ? s : undefined;
}

export function saveSession(session: StoredSession | undefined): void {
  if (session) localStorage.setItem(SESSION_KEY, JSON.stringify(session));
  else localStorage.removeItem(SESSION_KEY);
}

/** Forget this phone's binding entirely (the account stays; the device can be revoked from another one). */
export async function forgetDevice(): Promise<void> {
  localStorage.removeItem(DEVICE_KEY);
  localStorage.removeItem(SESSION_KEY);
  await idb('readwrite', (store) => store.clear());
}

/** The last bank account used for a top-up on this phone (the owner's own account). */
export function loadBankAccount(): string {
  return localStorage.getItem(BANK_KEY) ?? '';
}
export function saveBankAccount(account: string): void {
  localStorage.setItem(BANK_KEY, account);
}

// ---- the server's clock: payment codes are made for the server's time step --------------------

export function clockOffsetMs(): number {
  const value = Number(localStorage.getItem(CLOCK_KEY));
  return Number.isFinite(value) ? value : 0;
}

/** Learns the offset from the Date header of a small same-origin request (whole seconds are enough: steps are 20 s). */
export async function syncClock(): Promise<void> {
  try {
    const sentAtMs = Date.now();
    const response = await fetch('/healthz', { cache: 'no-store' });
    const receivedAtMs = Date.now();
    const date = response.headers.get('date');
    if (!date) return;
    const serverMs = Date.parse(date) + 500; // the header truncates to the second
    if (!Number.isFinite(serverMs)) return;
    localStorage.setItem(CLOCK_KEY, String(Math.round(serverMs - (sentAtMs + receivedAtMs) / 2)));
  } catch {
    // offline: keep the last offset
  }
}

// ---- IndexedDB: the payment-code key ----------------------------------------------------------

const DB_NAME = 'saoma-wallet';
const STORE = 'keys';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB is not available'));
  });
}

async function idb<T>(mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = run(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
  } finally {
    db.close();
  }
}

function fromBase64url(text: string): Uint8Array {
  const s = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

/** Imports the secret shown once at binding as a non-extractable key and keeps it; the bytes are wiped. */
export async function storePaymentCodeKey(deviceId: string, secretBase64url: string): Promise<void> {
  // Loaded here (with the payment-code screen's chunk), not in the first screen's JavaScript.
  const { importPaymentCodeKey } = await import('../../src/core/qr/payment-code.js');
  const bytes = fromBase64url(secretBase64url);
  try {
    const key = await importPaymentCodeKey(bytes);
    await idb('readwrite', (store) => store.put(key, `paymentCode:${deviceId}`));
  } finally {
    bytes.fill(0);
  }
}

export async function loadPaymentCodeKey(deviceId: string): Promise<PaymentCodeCryptoKey | undefined> {
  const key = await idb<unknown>('readonly', (store) => store.get(`paymentCode:${deviceId}`));
  return key instanceof CryptoKey ? key : undefined;
}

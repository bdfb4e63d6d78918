// Ledger account ids of the platform's customers (platform accounts: platformAccountId in core/ledger).

export function walletAccountId(consumerId: string, currency: string): string {
  return `wallet:${consumerId}:${currency}`;
}

export function merchantAccountId(merchantId: string, currency: string): string {
  return `merchant:${merchantId}:${currency}`;
}

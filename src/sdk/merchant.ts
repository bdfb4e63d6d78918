// MerchantClient: what a till, a shop system or an integrator does with a secret API key.

import { HttpClient, type HttpOptions } from './http.js';
import type { ApiKey, Merchant, Order, Payment, Till, WebhookEndpoint } from './types.js';
import { verifyWebhookSignature } from './webhooks.js';

export type Amount = number | bigint;

export interface MerchantApplication {
  readonly legalName: string;
  readonly displayName: string;
  readonly licenceNumber: string;
  readonly mcc: string;
  readonly address: string;
  readonly city: string;
  readonly settlementAccount: string;
  readonly countryCode?: string;
}

export class MerchantClient {
  readonly http: HttpClient;

  constructor(options: HttpOptions & { apiKey?: string }) {
    this.http = new HttpClient(options);
    this.http.token = options.apiKey;
  }

  /** Apply as a merchant; the returned client holds the owner key (shown once: store it). */
  static async apply(options: HttpOptions, application: MerchantApplication): Promise<{ client: MerchantClient; merchant: Merchant; apiKey: string }> {
    const http = new HttpClient(options);
    const r = await http.request<{ merchant: Merchant; apiKey: string }>('POST', '/v1/merchants', { body: application });
    return { client: new MerchantClient({ ...options, apiKey: r.apiKey }), merchant: r.merchant, apiKey: r.apiKey };
  }

  async me(): Promise<{ merchant: Merchant; balance: { availableMinor: number; currency: string } }> {
    return this.http.request('GET', '/v1/merchant');
  }

  async createApiKey(role: ApiKey['role'], label: string): Promise<{ key: ApiKey; secret: string }> {
    return this.http.request('POST', '/v1/merchant/api-keys', { body: { role, label } });
  }

  async apiKeys(): Promise<ApiKey[]> {
    return (await this.http.request<{ keys: ApiKey[] }>('GET', '/v1/merchant/api-keys')).keys;
  }

  async revokeApiKey(keyId: string): Promise<ApiKey> {
    return this.http.request('POST', `/v1/merchant/api-keys/${encodeURIComponent(keyId)}/revoke`);
  }

  async createTill(label: string): Promise<Till> {
    return this.http.request('POST', '/v1/merchant/tills', { body: { label } });
  }

  async tills(): Promise<Till[]> {
    return (await this.http.request<{ tills: Till[] }>('GET', '/v1/merchant/tills')).tills;
  }

  async createOrder(input: { amountMinor: Amount; reference: string; description?: string; ttlMs?: number }): Promise<Order> {
    return this.http.request('POST', '/v1/orders', { body: { ...input, amountMinor: Number(input.amountMinor) } });
  }

  async order(orderId: string): Promise<Order> {
    return this.http.request('GET', `/v1/orders/${encodeURIComponent(orderId)}`);
  }

  async orderByReference(reference: string): Promise<Order> {
    return this.http.request('GET', '/v1/orders', { query: { reference } });
  }

  async closeOrder(orderId: string): Promise<Order> {
    return this.http.request('POST', `/v1/orders/${encodeURIComponent(orderId)}/close`);
  }

  /** Charge a consumer's payment code. */
  async scan(input: { code: string; amountMinor: Amount; description?: string; idempotencyKey?: string }): Promise<Payment> {
    const { idempotencyKey, ...body } = input;
    return this.http.request('POST', '/v1/payments/scan', { body: { ...body, amountMinor: Number(body.amountMinor) }, ...(idempotencyKey ? { idempotencyKey } : {}) });
  }

  async payment(paymentId: string): Promise<Payment> {
    return this.http.request('GET', `/v1/payments/${encodeURIComponent(paymentId)}`);
  }

  async payments(options: { limit?: number; beforeMs?: number } = {}): Promise<Payment[]> {
    return (await this.http.request<{ payments: Payment[] }>('GET', '/v1/payments', { query: options })).payments;
  }

  async refund(paymentId: string, input: { amountMinor: Amount; reason?: string; idempotencyKey?: string }): Promise<Payment> {
    return this.http.request('POST', `/v1/payments/${encodeURIComponent(paymentId)}/refunds`, {
      body: { amountMinor: Number(input.amountMinor), ...(input.reason ? { reason: input.reason } : {}) },
      ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
    });
  }

  async cancel(paymentId: string): Promise<Payment> {
    return this.http.request('POST', `/v1/payments/${encodeURIComponent(paymentId)}/cancel`);
  }

  /** The signing secret (`whsec_…`) is in this answer only: store it to verify deliveries. */
  async createWebhookEndpoint(url: string, description?: string): Promise<WebhookEndpoint & { secret: string }> {
    return this.http.request('POST', '/v1/merchant/webhook-endpoints', { body: { url, ...(description ? { description } : {}) } });
  }

  async webhookEndpoints(): Promise<WebhookEndpoint[]> {
    return (await this.http.request<{ endpoints: WebhookEndpoint[] }>('GET', '/v1/merchant/webhook-endpoints')).endpoints;
  }

  async disableWebhookEndpoint(endpointId: string): Promise<WebhookEndpoint> {
    return this.http.request('POST', `/v1/merchant/webhook-endpoints/${encodeURIComponent(endpointId)}/disable`);
  }

  /** Verifies a delivered webhook (HMAC-SHA256 over `timestamp.body`, 5-minute tolerance). */
  static verifyWebhook = verifyWebhookSignature;
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { NAME_CHARS_MAX, PIN_DIGITS } from '../../core/limits.js';
import type { Platform } from '../../service/platform.js';
import { errorResponses } from '../schemas.js';
import { publicRateLimit } from '../rate-limits.js';
import { ConsumerSchema, DeviceSchema, consumerOut, deviceOut } from '../views.js';
import { requireConsumer } from './auth.js';
import { Assertion, AssertionOptions, Registration, Signature, proofOf, registrationOf } from './proof.js';

const PublicKey = Type.String({ minLength: 40, maxLength: 400, pattern: '^[A-Za-z0-9_-]+$', description: 'P-256 public key, SPKI DER in base64url' });
const Identifier = Type.String({ minLength: 3, maxLength: 254, description: 'phone number (E.164) or e-mail address' });
const Label = Type.String({ minLength: 1, maxLength: NAME_CHARS_MAX });
const Pin = Type.String({ pattern: `^[0-9]{${PIN_DIGITS}}$` });
const IdNumber = Type.String({ minLength: 18, maxLength: 18, pattern: '^[0-9]{17}[0-9X]$' });
const Name = Type.String({ minLength: 1, maxLength: NAME_CHARS_MAX });
const Challenge = Type.Object({ challengeId: Type.String(), message: Type.String(), expiresAtMs: Type.Integer(), assertionOptions: Type.Optional(AssertionOptions) });
const SessionOut = Type.Object({ token: Type.String({ description: 'bearer token of the session, bound to this device' }), expiresAtMs: Type.Integer() });
const DeviceBound = Type.Object({ device: DeviceSchema, paymentCodeKey: Type.String({ description: 'payment-code secret, base64url, shown once' }) });
const ChallengeId = Type.String({ minLength: 1, maxLength: 64 });
const DeviceIdParams = Type.Object({ deviceId: Type.String({ minLength: 1, maxLength: 64 }) });

/** Consumers: sign-up, device binding and approval, sessions, identity, PIN. No SMS codes anywhere. */
export const walletConsumerRoutes: FastifyPluginAsyncTypebox<{ platform: Platform; publicRateLimitPerMinute?: number | undefined }> = async (app, { platform, publicRateLimitPerMinute }) => {
  const consumers = platform.consumers;
  const auth = requireConsumer(platform);
  const security = [{ consumerSession: [] }];
  const open: { security: never[] } = { security: [] };
  // Unauthenticated entry points get a tighter per-address limit than the API as a whole.
  const publicLimit = publicRateLimit(app, publicRateLimitPerMinute);

  app.post(
    '/v1/consumers',
    {
      onRequest: publicLimit,
      schema: {
        tags: ['wallet'],
        summary: 'Sign up with a phone or e-mail and bind this device (P-256 key); returns a session',
        ...open,
        body: Type.Object(
          { identifier: Identifier, displayName: Name, device: Type.Object({ publicKey: PublicKey, label: Label }, { additionalProperties: false }) },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ consumer: ConsumerSchema, device: DeviceSchema, paymentCodeKey: Type.String(), session: SessionOut }), ...errorResponses(400, 409, 413, 429, 503) },
      },
    },
    async (request, reply) => {
      const result = await consumers.signUp(request.body);
      return reply.status(201).send({ consumer: consumerOut(result.consumer), device: deviceOut(result.bound.device), paymentCodeKey: result.bound.paymentCodeKey, session: result.session });
    },
  );

  app.post(
    '/v1/consumers/devices',
    {
      onRequest: publicLimit,
      schema: {
        tags: ['wallet'],
        summary: 'A new device asks to join an account; it stays pending until a bound device approves it or identity is re-verified',
        ...open,
        body: Type.Object({ identifier: Identifier, device: Type.Object({ publicKey: PublicKey, label: Label }, { additionalProperties: false }) }, { additionalProperties: false }),
        response: { 201: DeviceBound, ...errorResponses(400, 404, 409, 413, 429, 503) },
      },
    },
    async (request, reply) => {
      const bound = await consumers.requestDevice(request.body);
      return reply.status(201).send({ device: deviceOut(bound.device), paymentCodeKey: bound.paymentCodeKey });
    },
  );

  app.post(
    '/v1/consumers/devices/:deviceId/verify-identity',
    {
      onRequest: publicLimit,
      schema: {
        tags: ['wallet'],
        summary: 'Activate a pending device by re-verifying the identity on file; large payments wait out the cooling-off period',
        ...open,
        params: DeviceIdParams,
        body: Type.Object({ name: Name, idNumber: IdNumber }, { additionalProperties: false }),
        response: { 200: DeviceSchema, ...errorResponses(400, 404, 413, 422, 429, 503) },
      },
    },
    async (request) => deviceOut(await consumers.activateDeviceByIdentity({ deviceId: request.params.deviceId, ...request.body })),
  );

  const RegistrationOut = Type.Object({ challengeId: Type.String(), options: Type.Object({}, { additionalProperties: true, description: 'options for navigator.credentials.create' }), expiresAtMs: Type.Integer() });
  app.post(
    '/v1/consumers/passkey/options',
    {
      onRequest: publicLimit,
      schema: {
        tags: ['wallet'],
        summary: 'Sign up with a passkey, step one: the options for navigator.credentials.create',
        ...open,
        body: Type.Object({ identifier: Identifier, displayName: Name }, { additionalProperties: false }),
        response: { 201: RegistrationOut, ...errorResponses(400, 409, 413, 429, 503) },
      },
    },
    async (request, reply) => reply.status(201).send(await consumers.passkeyRegistration({ ...request.body, forExistingAccount: false })),
  );

  app.post(
    '/v1/consumers/passkey',
    {
      onRequest: publicLimit,
      schema: {
        tags: ['wallet'],
        summary: 'Sign up with a passkey, step two: the authenticator’s answer binds the device; returns a session',
        ...open,
        body: Type.Object({ challengeId: ChallengeId, response: Registration, label: Type.Optional(Label) }, { additionalProperties: false }),
        response: { 201: Type.Object({ consumer: ConsumerSchema, device: DeviceSchema, paymentCodeKey: Type.String(), session: SessionOut }), ...errorResponses(400, 401, 404, 409, 413, 429, 503) },
      },
    },
    async (request, reply) => {
      const result = await consumers.signUpWithPasskey({ challengeId: request.body.challengeId, response: registrationOf(request.body.response), label: request.body.label });
      return reply.status(201).send({ consumer: consumerOut(result.consumer), device: deviceOut(result.bound.device), paymentCodeKey: result.bound.paymentCodeKey, session: result.session });
    },
  );

  app.post(
    '/v1/consumers/devices/passkey/options',
    {
      onRequest: publicLimit,
      schema: {
        tags: ['wallet'],
        summary: 'A new passkey device for an existing account, step one',
        ...open,
        body: Type.Object({ identifier: Identifier }, { additionalProperties: false }),
        response: { 201: RegistrationOut, ...errorResponses(400, 404, 413, 429, 503) },
      },
    },
    async (request, reply) => reply.status(201).send(await consumers.passkeyRegistration({ identifier: request.body.identifier, forExistingAccount: true })),
  );

  app.post(
    '/v1/consumers/devices/passkey',
    {
      onRequest: publicLimit,
      schema: {
        tags: ['wallet'],
        summary: 'A new passkey device for an existing account, step two: pending until approved or re-verified',
        ...open,
        body: Type.Object({ challengeId: ChallengeId, response: Registration, label: Type.Optional(Label) }, { additionalProperties: false }),
        response: { 201: DeviceBound, ...errorResponses(400, 401, 404, 409, 413, 429, 503) },
      },
    },
    async (request, reply) => {
      const bound = await consumers.requestDeviceWithPasskey({ challengeId: request.body.challengeId, response: registrationOf(request.body.response), label: request.body.label });
      return reply.status(201).send({ device: deviceOut(bound.device), paymentCodeKey: bound.paymentCodeKey });
    },
  );

  app.post(
    '/v1/sessions/challenge',
    {
      onRequest: publicLimit,
      schema: {
        tags: ['wallet'],
        summary: 'A sign-in challenge for a bound device to sign',
        ...open,
        description: 'Name the device by `deviceId`, or by its `publicKey` (a client that lost its sign-up answer still holds its key).',
        body: Type.Union([
          Type.Object({ deviceId: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
          Type.Object({ publicKey: PublicKey }, { additionalProperties: false }),
        ]),
        response: { 201: Type.Object({ ...Challenge.properties, deviceId: Type.String() }), ...errorResponses(400, 403, 404, 413, 429, 503) },
      },
    },
    async (request, reply) => reply.status(201).send(await consumers.loginChallenge(request.body)),
  );

  app.post(
    '/v1/sessions',
    {
      onRequest: publicLimit,
      schema: {
        tags: ['wallet'],
        summary: 'Sign in: the device signs the challenge; the session is bound to that device',
        ...open,
        body: Type.Object(
          { deviceId: Type.String({ minLength: 1, maxLength: 64 }), challengeId: ChallengeId, signature: Type.Optional(Signature), assertion: Type.Optional(Assertion) },
          { additionalProperties: false },
        ),
        response: { 201: SessionOut, ...errorResponses(400, 401, 403, 404, 409, 413, 429, 503) },
      },
    },
    async (request, reply) => {
      const { deviceId, challengeId } = request.body;
      const session = await consumers.login({ deviceId, challengeId, proof: proofOf(request.body) });
      return reply.status(201).send({ token: session.token, expiresAtMs: session.expiresAtMs });
    },
  );

  app.post(
    '/v1/sessions/logout',
    { onRequest: auth, schema: { tags: ['wallet'], summary: 'End this session', security, response: { 204: Type.Null(), ...errorResponses(401, 429, 503) } } },
    async (request, reply) => {
      await consumers.logout(request.consumer!.sessionId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/v1/wallet',
    {
      onRequest: auth,
      schema: {
        tags: ['wallet'],
        summary: 'The signed-in consumer, with the balance',
        security,
        response: { 200: Type.Object({ consumer: ConsumerSchema, balance: Type.Object({ availableMinor: Type.Integer(), pendingMinor: Type.Integer(), currency: Type.String() }) }), ...errorResponses(401, 429, 503) },
      },
    },
    async (request) => {
      const consumer = await consumers.view(request.consumer!.consumerId);
      const account = await platform.ledger.account(`wallet:${consumer.id}:CNY`);
      const available = account.creditsPosted - account.debitsPosted - account.debitsPending;
      return { consumer: consumerOut(consumer), balance: { availableMinor: Number(available), pendingMinor: Number(account.debitsPending), currency: account.currency } };
    },
  );

  app.get(
    '/v1/wallet/devices',
    { onRequest: auth, schema: { tags: ['wallet'], summary: 'Devices of this account', security, response: { 200: Type.Object({ devices: Type.Array(DeviceSchema) }), ...errorResponses(401, 429, 503) } } },
    async (request) => ({ devices: (await consumers.devices(request.consumer!.consumerId)).map(deviceOut) }),
  );

  app.post(
    '/v1/wallet/devices/:deviceId/approve-challenge',
    {
      onRequest: auth,
      schema: { tags: ['wallet'], summary: 'The text this device signs to approve a pending device', security, params: DeviceIdParams, response: { 201: Challenge, ...errorResponses(400, 401, 404, 429, 503) } },
    },
    async (request, reply) => reply.status(201).send(await consumers.approveChallenge(request.consumer!, request.params.deviceId)),
  );

  app.post(
    '/v1/wallet/devices/:deviceId/approve',
    {
      onRequest: auth,
      schema: {
        tags: ['wallet'],
        summary: 'Approve a pending device with this bound device’s signature',
        security,
        params: DeviceIdParams,
        body: Type.Object({ challengeId: ChallengeId, signature: Type.Optional(Signature), assertion: Type.Optional(Assertion) }, { additionalProperties: false }),
        response: { 200: DeviceSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 429, 503) },
      },
    },
    async (request) =>
      deviceOut(await consumers.approveDevice(request.consumer!, request.params.deviceId, { challengeId: request.body.challengeId, proof: proofOf(request.body) })),
  );

  app.post(
    '/v1/wallet/devices/:deviceId/revoke',
    { onRequest: auth, schema: { tags: ['wallet'], summary: 'Revoke a device and its sessions', security, params: DeviceIdParams, response: { 200: DeviceSchema, ...errorResponses(401, 404, 429, 503) } } },
    async (request) => deviceOut(await consumers.revokeDevice(request.consumer!, request.params.deviceId)),
  );

  app.post(
    '/v1/wallet/devices/:deviceId/payment-code/enable',
    {
      onRequest: auth,
      schema: {
        tags: ['wallet'],
        summary: 'Re-enable a payment code locked after invalid codes were tried against it (needs the PIN)',
        security,
        params: DeviceIdParams,
        body: Type.Object({ pin: Pin }, { additionalProperties: false }),
        response: { 200: DeviceSchema, ...errorResponses(400, 401, 403, 404, 409, 413, 423, 429, 503) },
      },
    },
    async (request) => deviceOut(await consumers.enablePaymentCode(request.consumer!, request.params.deviceId, request.body.pin)),
  );

  app.post(
    '/v1/wallet/devices/:deviceId/payment-code/rotate',
    {
      onRequest: auth,
      schema: {
        tags: ['wallet'],
        summary: 'A new payment-code secret for a device (needs the PIN); codes of the old one stop working',
        security,
        params: DeviceIdParams,
        body: Type.Object({ pin: Pin }, { additionalProperties: false }),
        response: { 200: DeviceBound, ...errorResponses(400, 401, 403, 404, 409, 413, 423, 429, 503) },
      },
    },
    async (request) => {
      const bound = await consumers.rotatePaymentCodeKey(request.consumer!, request.params.deviceId, request.body.pin);
      return { device: deviceOut(bound.device), paymentCodeKey: bound.paymentCodeKey };
    },
  );

  app.post(
    '/v1/wallet/identity',
    {
      onRequest: auth,
      schema: {
        tags: ['wallet'],
        summary: 'Verify identity (sandbox provider): raises the account class to II, or III with a bank account',
        security,
        body: Type.Object({ name: Name, idNumber: IdNumber, bankAccount: Type.Optional(Type.String({ pattern: '^[0-9]{8,30}$' })) }, { additionalProperties: false }),
        response: { 200: ConsumerSchema, ...errorResponses(400, 401, 413, 422, 429, 503) },
      },
    },
    async (request) => consumerOut(await consumers.verifyIdentity(request.consumer!.consumerId, request.body)),
  );

  app.post(
    '/v1/wallet/pin',
    {
      onRequest: auth,
      schema: {
        tags: ['wallet'],
        summary: 'Set the payment PIN, or change it with the current one',
        security,
        body: Type.Object({ pin: Pin, currentPin: Type.Optional(Pin) }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 403, 409, 413, 423, 429, 503) },
      },
    },
    async (request, reply) => {
      await consumers.setPin(request.consumer!.consumerId, request.body);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/v1/wallet/pin/reset',
    {
      onRequest: auth,
      schema: {
        tags: ['wallet'],
        summary: 'Reset a forgotten or locked PIN: from a bound device, with the identity on file',
        security,
        body: Type.Object({ name: Name, idNumber: IdNumber, newPin: Pin }, { additionalProperties: false }),
        response: { 204: Type.Null(), ...errorResponses(400, 401, 413, 422, 429, 503) },
      },
    },
    async (request, reply) => {
      await consumers.resetPin(request.consumer!.consumerId, request.body);
      return reply.status(204).send(null);
    },
  );
};

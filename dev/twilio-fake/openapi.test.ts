/**
 * The spec validator must catch what Twilio would refuse, or every contract
 * test that relies on it proves nothing.
 */
import { loadSpecs, type RequestToValidate } from './openapi';
import { TEST_ENV } from './env';

const specs = loadSpecs();
const describeWithSpecs = specs ? describe : describe.skip;

const IS = TEST_ENV.CONVERSATIONS_SERVICE_SID;
const CH = 'CH' + 'a'.repeat(32);

function webhookRequest(form: Record<string, string[]>, headers = {}): RequestToValidate {
  return {
    host: 'conversations.twilio.com',
    method: 'POST',
    path: `/v1/Services/${IS}/Conversations/${CH}/Webhooks`,
    query: {},
    form,
    headers,
  };
}

describeWithSpecs('SpecValidator', () => {
  const validate = (r: RequestToValidate) => specs!.validateRequest(r);

  it('accepts the Studio webhook we send', () => {
    expect(
      validate(
        webhookRequest({
          Target: ['studio'],
          'Configuration.FlowSid': [TEST_ENV.STUDIO_FLOW_SID],
          'Configuration.Filters': ['onMessageAdded'],
        }),
      ),
    ).toEqual({ operationId: 'CreateServiceConversationScopedWebhook', violations: [] });
  });

  it.each([
    [
      'a target outside the enum',
      { Target: ['Studio'] },
      /Target must be equal to one of the allowed values/,
    ],
    [
      'a missing required field',
      { 'Configuration.FlowSid': [TEST_ENV.STUDIO_FLOW_SID] },
      /missing required field Target/,
    ],
    [
      'a malformed flow SID',
      { Target: ['studio'], 'Configuration.FlowSid': ['FW123'] },
      /Configuration.FlowSid/,
    ],
    [
      'a misspelt field',
      { Target: ['studio'], 'Configuration.FlowSID': ['x'] },
      /unknown field Configuration.FlowSID/,
    ],
    ['a repeated scalar', { Target: ['studio', 'webhook'] }, /not an array but was sent 2 times/],
    [
      'a non-integer',
      { Target: ['studio'], 'Configuration.ReplayAfter': ['soon'] },
      /ReplayAfter must be integer/,
    ],
  ])('refuses %s', (_, form, message) => {
    const { violations } = validate(webhookRequest(form));
    expect(violations.join('\n')).toMatch(message);
  });

  it('refuses Attributes that are not a JSON object', () => {
    const { violations } = validate({
      host: 'conversations.twilio.com',
      method: 'POST',
      path: `/v1/Services/${IS}/ConversationWithParticipants`,
      query: {},
      form: { Attributes: ['not json'], Participant: ['{"identity":"a"}', '[1]'] },
      headers: {},
    });
    expect(violations).toEqual([
      'CreateServiceConversationWithParticipants: field Attributes must hold a JSON object',
      'CreateServiceConversationWithParticipants: field Participant must hold a JSON object',
    ]);
  });

  it('checks Twilio headers against the operation', () => {
    const ok = validate(webhookRequest({ Target: ['studio'] }));
    expect(ok.violations).toEqual([]);
    const bad = validate(
      webhookRequest({ Target: ['studio'] }, { 'x-twilio-webhook-enabled': 'true' }),
    );
    expect(bad.violations.join()).toMatch(/header x-twilio-webhook-enabled is not accepted/);
    const wrongValue = validate({
      ...webhookRequest({}),
      path: `/v1/Services/${IS}/Conversations/${CH}/Messages`,
      headers: { 'x-twilio-webhook-enabled': 'yes' },
    });
    expect(wrongValue.violations.join()).toMatch(
      /X-Twilio-Webhook-Enabled must be equal to one of/,
    );
  });

  it('checks path parameters and unknown operations', () => {
    const badService = validate({
      ...webhookRequest({ Target: ['studio'] }),
      path: `/v1/Services/IS123/Conversations/${CH}/Webhooks`,
    });
    expect(badService.violations.join()).toMatch(/path ChatServiceSid/);
    expect(validate({ ...webhookRequest({}), path: '/v1/Nope' }).violations).toEqual([
      'POST conversations.twilio.com/v1/Nope: no such operation',
    ]);
  });

  it('passes hosts it has no spec for, unvalidated', () => {
    const request = { ...webhookRequest({}), host: 'api.twilio.com', path: '/2010-04-01/Anything' };
    expect(specs!.covers('api.twilio.com')).toBe(false);
    expect(validate(request)).toEqual({ violations: [] });
  });

  it('validates the mock responses too', () => {
    const request = webhookRequest({ Target: ['studio'] });
    expect(specs!.validateResponse(request, 201, { sid: 42 }).join()).toMatch(/sid must be string/);
  });
});

if (!specs) {
  it('skips spec validation: ../shared/twilio-oai is not present', () => {
    expect(specs).toBeUndefined();
  });
}

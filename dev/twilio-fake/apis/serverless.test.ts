/**
 * The Serverless fake refuses what Twilio refuses, with the real `twilio`
 * library as the client (every request checked against Twilio's spec), and
 * its upload host takes multipart Versions as twilio-run sends them.
 * tests/runtime/deploy.test.ts drives it with the real `twilio-run deploy`.
 */
import { TwilioMock } from '../twilio-mock';
import { TEST_ENV } from '../env';
import { liveDeployment, serverlessServices } from './serverless';

const mock = TwilioMock.perTest();

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => ({ status: 0 }),
    (error: { status: number; code: number }) => ({ status: error.status, code: error.code }),
  );

/** A Version upload as @twilio-labs/serverless-api sends it (form-data, Basic auth). */
async function upload(serviceSid: string, kind: string, fileSid: string, form: FormData) {
  const auth = Buffer.from(`${TEST_ENV.ACCOUNT_SID}:${TEST_ENV.AUTH_TOKEN}`).toString('base64');
  const url = `${mock.baseUrl}/serverless-upload.twilio.com/v1/Services/${serviceSid}/${kind}/${fileSid}/Versions`;
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Basic ${auth}` },
    body: form,
  });
  return { status: res.status, body: (await res.json()) as { sid: string } };
}

function versionForm(fields: Record<string, string>, content?: string): FormData {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  if (content !== undefined) {
    form.append('Content', new Blob([content], { type: 'application/javascript' }), 'x.js');
  }
  return form;
}

describe('Serverless API fake', () => {
  it('refuses a second Service with a unique name the account already uses (409)', async () => {
    const client = mock.client();
    await client.serverless.v1.services.create({ uniqueName: 'webchat', friendlyName: 'webchat' });
    const second = client.serverless.v1.services.create({
      uniqueName: 'webchat',
      friendlyName: 'again',
    });
    expect(await refusal(second)).toEqual({ status: 409, code: 20409 });
    expect(serverlessServices(mock)).toHaveLength(1);
    expect((await client.serverless.v1.services('webchat').fetch()).friendlyName).toBe('webchat');
  });

  it('refuses a duplicate environment suffix, and a variable over 450 bytes or with a taken key', async () => {
    const client = mock.client();
    const svc = await client.serverless.v1.services.create({ uniqueName: 'w', friendlyName: 'w' });
    const envs = client.serverless.v1.services(svc.sid).environments;
    const dev = await envs.create({ uniqueName: 'dev-environment', domainSuffix: 'dev' });
    expect(dev.domainName).toMatch(/^w-\d{4}-dev\.twil\.io$/);
    expect(await refusal(envs.create({ uniqueName: 'other', domainSuffix: 'dev' }))).toEqual({
      status: 409,
      code: 20409,
    });
    const vars = envs(dev.sid).variables;
    await vars.create({ key: 'A', value: 'x'.repeat(450) });
    expect(await refusal(vars.create({ key: 'B', value: 'x'.repeat(451) }))).toMatchObject({
      status: 400,
    });
    expect(await refusal(vars.create({ key: 'A', value: 'y' }))).toMatchObject({ status: 409 });
    expect((await vars.list()).map((v) => v.key)).toEqual(['A']);
  });

  it('builds from uploaded versions: building, then completed; only then deployable', async () => {
    const client = mock.client();
    const svc = await client.serverless.v1.services.create({ uniqueName: 's', friendlyName: 's' });
    const service = client.serverless.v1.services(svc.sid);
    const fn = await service.functions.create({ friendlyName: '/hello' });
    const uploaded = await upload(
      svc.sid,
      'Functions',
      fn.sid,
      versionForm({ Path: '/hello', Visibility: 'protected' }, 'exports.handler = () => {};'),
    );
    expect(uploaded.status).toBe(201);
    const env = await service.environments.create({
      uniqueName: 'dev-environment',
      domainSuffix: 'dev',
    });

    const build = await service.builds.create({
      functionVersions: [uploaded.body.sid],
      dependencies: JSON.stringify([{ name: 'twilio', version: '6.2.0' }]),
      runtime: 'node22',
    });
    expect(build.status).toBe('building');
    const deployments = service.environments(env.sid).deployments;
    expect(await refusal(deployments.create({ buildSid: build.sid }))).toMatchObject({
      status: 409,
    });
    expect((await service.builds(build.sid).buildStatus().fetch()).status).toBe('building');
    expect((await service.builds(build.sid).buildStatus().fetch()).status).toBe('completed');
    await deployments.create({ buildSid: build.sid });

    const live = liveDeployment(mock, 's', 'dev');
    expect(live?.functions.map((f) => [f.path, f.visibility, f.content.toString()])).toEqual([
      ['/hello', 'protected', 'exports.handler = () => {};'],
    ]);
    expect(live?.build.dependencies).toEqual([{ name: 'twilio', version: '6.2.0' }]);
  });

  it('refuses a build naming a version the service does not have', async () => {
    const client = mock.client();
    const svc = await client.serverless.v1.services.create({ uniqueName: 'b', friendlyName: 'b' });
    const build = client.serverless.v1
      .services(svc.sid)
      .builds.create({ functionVersions: ['ZN' + '0'.repeat(32)] });
    expect(await refusal(build)).toMatchObject({ status: 404 });
  });

  it("does not show one account's services to another", async () => {
    await mock.client().serverless.v1.services.create({ uniqueName: 'mine', friendlyName: 'm' });
    const otherSid = 'AC' + '9'.repeat(32);
    mock.acceptCredentials((user) => user === otherSid);
    const other = mock.client({ accountSid: otherSid, authToken: 'x'.repeat(32) });
    expect(await other.serverless.v1.services.list()).toEqual([]);
    expect(await refusal(other.serverless.v1.services('mine').fetch())).toMatchObject({
      status: 404,
    });
  });

  it('refuses an upload without exactly Path, Visibility and a Content file', async () => {
    const client = mock.client();
    const svc = await client.serverless.v1.services.create({ uniqueName: 'u', friendlyName: 'u' });
    const asset = await client.serverless.v1.services(svc.sid).assets.create({ friendlyName: 'a' });
    const noContent = await upload(
      svc.sid,
      'Assets',
      asset.sid,
      versionForm({ Path: '/a', Visibility: 'public' }),
    );
    const badVisibility = await upload(
      svc.sid,
      'Assets',
      asset.sid,
      versionForm({ Path: '/a', Visibility: 'secret' }, 'x'),
    );
    expect([noContent.status, badVisibility.status]).toEqual([400, 400]);
    expect(mock.violations).toHaveLength(2);
    mock.violations.length = 0; // expected here: the fake records what it refused
  });
});

/**
 * The fake's Sync API behaves as Twilio's does where src/guard relies on it,
 * through the real `twilio` library (every request checked against
 * twilio_sync_v1.json by the mock).
 */
import { TwilioMock } from '../twilio-mock';
import { DEFAULT_SYNC_SERVICE_SID, setSyncClock, syncService, syncServices } from './sync';

const mock = TwilioMock.perTest();
const sync = () => mock.client().sync.v1;

type Failure = { status?: number; code?: number };
async function failure(call: Promise<unknown>): Promise<Failure> {
  try {
    await call;
  } catch (error) {
    return { status: (error as Failure).status, code: (error as Failure).code };
  }
  throw new Error('expected the request to fail');
}

describe('Sync services', () => {
  it('answers to `default` with the default service, and to its SID', async () => {
    const byAlias = await sync().services('default').fetch();
    expect(byAlias.sid).toBe(DEFAULT_SYNC_SERVICE_SID);
    expect(byAlias.uniqueName).toBe('default');
    expect((await sync().services(DEFAULT_SYNC_SERVICE_SID).fetch()).sid).toBe(byAlias.sid);
  });

  it('creates services (no unique name over REST), lists and fetches them', async () => {
    const created = await sync().services.create({ friendlyName: 'Flex custom web chat' });
    expect(created.sid).toMatch(/^IS[0-9a-f]{32}$/);
    expect(created.uniqueName).toBeNull();
    const listed = await sync().services.list();
    expect(listed.map((s) => s.sid)).toEqual([DEFAULT_SYNC_SERVICE_SID, created.sid]);
    expect((await sync().services(created.sid).fetch()).friendlyName).toBe('Flex custom web chat');
  });

  it('refuses an unknown service with 404 and error 54050, for every resource under it', async () => {
    const missing = 'IS' + '0'.repeat(32);
    expect(await failure(sync().services(missing).fetch())).toEqual({ status: 404, code: 54050 });
    const lists = sync().services(missing).syncLists;
    expect(await failure(lists.create({ uniqueName: 'x' }))).toEqual({ status: 404, code: 54050 });
    syncServices(mock).length = 0; // an account without a default service
    expect(await failure(sync().services('default').fetch())).toEqual({ status: 404, code: 54050 });
  });
});

describe('Sync lists and list items', () => {
  const service = () => sync().services('default');

  it('appends with indexes counting up from 0 per list, by SID or unique name', async () => {
    const a = await service().syncLists.create({ uniqueName: 'chats-1' });
    const b = await service().syncLists.create({ uniqueName: 'chats-2' });
    const append = (list: string) => service().syncLists(list).syncListItems.create({ data: {} });
    expect((await append('chats-1')).index).toBe(0);
    expect((await append(a.sid)).index).toBe(1);
    expect((await append('chats-2')).index).toBe(0);
    expect((await append('chats-1')).index).toBe(2);
    expect((await service().syncLists('chats-2').fetch()).sid).toBe(b.sid);
    // The form the library sends: Data as a JSON object.
    expect(mock.requests('sync.listItems.create')[0]?.form).toEqual({ Data: ['{}'] });
  });

  it('gives concurrent appends distinct indexes', async () => {
    await service().syncLists.create({ uniqueName: 'busy' });
    const items = await Promise.all(
      Array.from({ length: 20 }, () =>
        service().syncLists('busy').syncListItems.create({ data: {} }),
      ),
    );
    expect(items.map((i) => i.index).sort((x, y) => x - y)).toEqual([...Array(20).keys()]);
  });

  it('answers an append to a missing list with 404 and error 54150', async () => {
    const items = service().syncLists('nowhere').syncListItems;
    expect(await failure(items.create({ data: {} }))).toEqual({ status: 404, code: 54150 });
    expect(await failure(service().syncLists('nowhere').fetch())).toEqual({
      status: 404,
      code: 54150,
    });
  });

  it('refuses a duplicate unique name with 409 and error 54301, and an invalid one with 54302', async () => {
    await service().syncLists.create({ uniqueName: 'chats-1' });
    expect(await failure(service().syncLists.create({ uniqueName: 'chats-1' }))).toEqual({
      status: 409,
      code: 54301,
    });
    expect(
      await failure(service().syncLists.create({ uniqueName: 'ES' + 'a'.repeat(32) })),
    ).toEqual({ status: 400, code: 54302 });
    expect(syncService(mock, 'default')?.lists).toHaveLength(1);
  });

  it('expires a list at its TTL; an item with CollectionTtl moves it; indexes are never reused', async () => {
    let t = Date.UTC(2030, 0, 1);
    setSyncClock(mock, () => t);
    const created = await service().syncLists.create({ uniqueName: 'w', collectionTtl: 60 });
    expect(created.dateExpires?.getTime()).toBe(t + 60_000);

    t += 50_000;
    const item = await service()
      .syncLists('w')
      .syncListItems.create({ data: {}, collectionTtl: 60 });
    expect(item.index).toBe(0);
    t += 20_000; // 70 s after creation: alive, its TTL moved to 110 s
    expect((await service().syncLists('w').fetch()).dateExpires?.getTime()).toBe(t + 40_000);
    // An append without CollectionTtl leaves the expiry alone (a TTL is fixed).
    await service().syncLists('w').syncListItems.create({ data: {}, itemTtl: 5 });
    t += 10_000; // the item's own TTL is over: gone, but its index stays taken
    expect(syncService(mock, 'default')?.lists[0]?.items.map((i) => i.index)).toEqual([0]);
    expect((await service().syncLists('w').syncListItems.create({ data: {} })).index).toBe(2);

    t += 40_000; // past the list's expiry
    expect(await failure(service().syncLists('w').fetch())).toEqual({ status: 404, code: 54150 });
    const again = await service().syncLists.create({ uniqueName: 'w' }); // the name is free again
    expect(again.sid).not.toBe(created.sid);
  });
});

describe('Sync documents', () => {
  const service = () => sync().services('default');

  it('creates a document by unique name, with data and TTL, and fetches it', async () => {
    let t = Date.UTC(2030, 0, 1);
    setSyncClock(mock, () => t);
    const doc = await service().documents.create({
      uniqueName: 'claim-abc',
      data: { by: 'x' },
      ttl: 300,
    });
    expect(doc.sid).toMatch(/^ET[0-9a-f]{32}$/);
    expect(doc.dateExpires?.getTime()).toBe(t + 300_000);
    expect((await service().documents('claim-abc').fetch()).data).toEqual({ by: 'x' });
    // Its creation time stays the one on the clock when it was made.
    t += 60_000;
    const later = await service().documents('claim-abc').fetch();
    expect(later.dateCreated.getTime()).toBe(Date.UTC(2030, 0, 1));
    expect(mock.requests('sync.documents.create')[0]?.form).toEqual({
      UniqueName: ['claim-abc'],
      Data: ['{"by":"x"}'],
      Ttl: ['300'],
    });
  });

  it('refuses a duplicate unique name with 409 and error 54301, until the first one expires', async () => {
    let t = Date.UTC(2030, 0, 1);
    setSyncClock(mock, () => t);
    await service().documents.create({ uniqueName: 'once', ttl: 60 });
    expect(await failure(service().documents.create({ uniqueName: 'once' }))).toEqual({
      status: 409,
      code: 54301,
    });
    expect(await failure(service().documents('nope').fetch())).toEqual({
      status: 404,
      code: 54100,
    });
    t += 60_000;
    await expect(service().documents.create({ uniqueName: 'once' })).resolves.toBeDefined();
  });

  it('lets exactly one of many concurrent creates of one unique name through', async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 25 }, () => service().documents.create({ uniqueName: 'race' })),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    expect(syncService(mock, 'default')?.documents).toHaveLength(1);
  });
});

describe('Sync documents: update', () => {
  const service = () => sync().services('default');

  it('replaces the data and, when given, the TTL from now; 404 and 54100 for a missing one', async () => {
    let now = Date.UTC(2030, 0, 1);
    setSyncClock(mock, () => now);
    await service().documents.create({ uniqueName: 'pointer', data: { n: 1 }, ttl: 60 });
    now += 50_000;
    const updated = await service()
      .documents('pointer')
      .update({ data: { n: 2 }, ttl: 60 });
    expect(updated.data).toEqual({ n: 2 });
    now += 50_000; // past the first TTL, within the new one
    expect((await service().documents('pointer').fetch()).data).toEqual({ n: 2 });
    await service()
      .documents('pointer')
      .update({ data: { n: 3 } }); // the TTL stays
    now += 11_000;
    expect(await failure(service().documents('pointer').fetch())).toEqual({
      status: 404,
      code: 54100,
    });
    expect(await failure(service().documents('pointer').update({ data: {} }))).toEqual({
      status: 404,
      code: 54100,
    });
  });
});

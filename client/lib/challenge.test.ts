import { ApiError, type StartedChat } from './api';
import { Challenges, type Challenge } from './challenge';
import type { ChallengeParameters, Solution } from './challenge-solver';
import { ChatController } from './controller';
import { SessionStore } from './session-store';
import type { Phase } from './state';

const settle = () => new Promise((r) => setTimeout(r, 0));

function challenge(n: number, lifetime = 300): Challenge {
  return {
    parameters: {
      algorithm: 'SHA-256',
      nonce: String(n).padStart(32, '0'),
      salt: '1'.repeat(32),
      cost: 1,
      keyLength: 32,
      keyPrefix: 'ab'.repeat(16),
      expiresAt: 1000 + lifetime,
      data: { origin: 'https://www.example.com', issuedAt: 1000 },
    },
    signature: 's'.repeat(64),
  };
}

/** A service and a solver under the test's control. */
function world(options: { off?: boolean } = {}) {
  let issued = 0;
  const solving: { parameters: ChallengeParameters; resolve: (s: Solution) => void }[] = [];
  const fetches: (() => void)[] = [];
  let now = 0;
  let failNextFetch = false;
  const challenges = new Challenges({
    fetch: () => {
      fetches.push(() => undefined);
      if (failNextFetch) {
        failNextFetch = false;
        return Promise.reject(new ApiError(0, 'network', 'offline'));
      }
      return Promise.resolve(options.off ? null : challenge(++issued));
    },
    solve: (parameters) => new Promise((resolve) => solving.push({ parameters, resolve })),
    now: () => now,
  });
  /** Solves what is being solved. */
  const solveAll = async () => {
    await settle();
    for (const s of solving.splice(0)) s.resolve({ counter: 7, derivedKey: s.parameters.nonce });
    await settle();
  };
  return {
    challenges,
    solveAll,
    fetches: () => fetches.length,
    solving: () => solving.length,
    tick: (ms: number) => (now += ms),
    failNextFetch: () => (failNextFetch = true),
  };
}

type Sent = { friendlyName?: string; proof?: { challenge: Challenge; solution: Solution } };
const nonceOf = (body: Sent) => body.proof?.challenge.parameters.nonce;

describe('Challenges', () => {
  it('prepares one challenge however often the form is shown, and is ready once solved', async () => {
    const w = world();
    w.challenges.prepare();
    w.challenges.prepare();
    await settle();
    expect(w.fetches()).toBe(1);
    expect(w.challenges.ready).toBe(false);
    await w.solveAll();
    expect(w.challenges.ready).toBe(true);
  });

  it('sends the solved challenge with the start, then needs a new one', async () => {
    const w = world();
    w.challenges.prepare();
    await w.solveAll();
    const sent: Sent[] = [];
    await w.challenges.send({ friendlyName: 'Ana' }, (body) => Promise.resolve(sent.push(body)));
    expect(sent).toEqual([
      {
        friendlyName: 'Ana',
        proof: { challenge: challenge(1), solution: { counter: 7, derivedKey: nonceOf(sent[0]!) } },
      },
    ]);
    expect(w.challenges.ready).toBe(false);
    w.challenges.prepare();
    await w.solveAll();
    expect(w.fetches()).toBe(2);
  });

  it('waits for a solve still under way when the customer is quicker', async () => {
    const w = world();
    w.challenges.prepare();
    const sent: Sent[] = [];
    const started = w.challenges.send({}, (body) => Promise.resolve(sent.push(body)));
    await settle();
    expect(sent).toHaveLength(0);
    await w.solveAll();
    await started;
    expect(sent.map(nonceOf)).toEqual([challenge(1).parameters.nonce]);
  });

  it.each(['challenge_expired', 'challenge_used', 'challenge_invalid', 'challenge_required'])(
    'gets a new challenge once when the start is refused with %s',
    async (code) => {
      const w = world();
      const sent: Sent[] = [];
      const refuse = (body: Sent) => {
        sent.push(body);
        return Promise.reject(new ApiError(code === 'challenge_used' ? 409 : 403, code, 'no'));
      };
      const started = w.challenges.send({}, refuse);
      void started.catch(() => undefined);
      await w.solveAll();
      await w.solveAll();
      await expect(started).rejects.toMatchObject({ code });
      // Two starts, each with its own challenge; no third.
      expect(sent.map(nonceOf)).toEqual(
        [challenge(1), challenge(2)].map((c) => c.parameters.nonce),
      );
    },
  );

  it('does not retry other refusals', async () => {
    const w = world();
    let starts = 0;
    const started = w.challenges.send({}, () => {
      starts++;
      return Promise.reject(new ApiError(403, 'origin_not_allowed', 'no'));
    });
    void started.catch(() => undefined);
    await w.solveAll();
    await expect(started).rejects.toMatchObject({ code: 'origin_not_allowed' });
    expect(starts).toBe(1);
  });

  it('replaces a challenge that would expire before it arrives', async () => {
    const w = world();
    w.challenges.prepare();
    await w.solveAll();
    w.tick(281_000); // within 20 s of its 300 s
    expect(w.challenges.ready).toBe(false);
    const sent: Sent[] = [];
    const started = w.challenges.send({}, (body) => Promise.resolve(sent.push(body)));
    await w.solveAll();
    await started;
    expect(sent.map(nonceOf)).toEqual([challenge(2).parameters.nonce]);
  });

  it('tries again at the start when fetching failed while the form was shown', async () => {
    const w = world();
    w.failNextFetch();
    w.challenges.prepare();
    await settle();
    const sent: Sent[] = [];
    const started = w.challenges.send({}, (body) => Promise.resolve(sent.push(body)));
    await w.solveAll();
    await started;
    expect(w.fetches()).toBe(2);
    expect(sent).toHaveLength(1);
  });

  it('with CHALLENGE=off, starts carry no proof and nothing is solved', async () => {
    const w = world({ off: true });
    w.challenges.prepare();
    await settle();
    expect(w.challenges.ready).toBe(true);
    const sent: Sent[] = [];
    await w.challenges.send({ friendlyName: 'Ana' }, (body) => Promise.resolve(sent.push(body)));
    await w.challenges.send({ friendlyName: 'Bo' }, (body) => Promise.resolve(sent.push(body)));
    expect(sent).toEqual([{ friendlyName: 'Ana' }, { friendlyName: 'Bo' }]);
    expect(w.solving()).toBe(0);
    expect(w.fetches()).toBe(1);
  });
});

describe('ChatController with challenges', () => {
  const STARTED: StartedChat = {
    conversationSid: 'CH1',
    identity: 'web_abc_' + '1'.repeat(32),
    token: 't',
    expiresAt: 'x',
  };
  const storage = { getItem: () => null, setItem: () => undefined, removeItem: () => undefined };

  function controller(w: ReturnType<typeof world>) {
    const sent: Sent[] = [];
    const chat = new ChatController({
      api: {
        startChat: (body) => Promise.resolve(sent.push(body)).then(() => STARTED),
        refreshToken: () => Promise.reject(new Error('unused')),
        endChat: () => Promise.reject(new Error('unused')),
      },
      sessions: new SessionStore(storage as unknown as Storage, 'https://s.twil.io/start-chat'),
      clientFactory: () => new Promise(() => undefined), // the chat itself is not this test's
      challenges: w.challenges,
    });
    const phases: Phase[] = [];
    chat.subscribe((state) => {
      if (phases[phases.length - 1] !== state.phase) phases.push(state.phase);
    });
    return { chat, sent, phases };
  }

  it('solves while the form is open, then starts at once', async () => {
    const w = world();
    const { chat, sent, phases } = controller(w);
    chat.open();
    await w.solveAll();
    void chat.start({ preEngagement: {} }); // connecting is not this test's: it waits forever
    await settle();
    expect(phases).toEqual(['form', 'starting']);
    expect(sent.map(nonceOf)).toEqual([challenge(1).parameters.nonce]);
  });

  it('says "preparing" when submitted before the solve, then "starting"', async () => {
    const w = world();
    const { chat, sent, phases } = controller(w);
    chat.open();
    void chat.start({ preEngagement: {} });
    await settle();
    expect(chat.state.phase).toBe('preparing');
    await chat.start({ preEngagement: {} }); // a second click changes nothing
    await w.solveAll();
    expect(phases).toEqual(['form', 'preparing', 'starting']);
    expect(sent).toHaveLength(1);
  });
});

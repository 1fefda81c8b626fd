/**
 * The handlers' own time: POST /start-chat (studio mode, 2 Twilio requests,
 * its challenge verified) and POST /refresh-token (1: is the chat open?), in process against a zero-latency local
 * mock, so what remains is the handler plus loopback HTTP to the mock
 * (median, after 20 runs that warm the JIT).
 */
import { handler as refreshToken } from '../../functions/refresh-token';
import { handler as startChat } from '../../functions/start-chat';
import { withProof } from '../../dev/challenge';
import { invoke } from '../../dev/invoke';
import { type TwilioMock } from '../../dev/twilio-fake/twilio-mock';
import { fmt, median, time } from './measure';
import { table } from './table';

const WARM_UP = 20;

async function overhead(mock: TwilioMock): Promise<{ start: number; refresh: number }> {
  mock.reset();
  // Back-to-back starts pass Twilio's 30 creates a second: this is the handler's time, not Twilio's rate.
  mock.rateLimit('conversations.create', undefined);
  const startTimes: number[] = [];
  let token = '';
  for (let i = 0; i < 200 + WARM_UP; i++) {
    const body = await withProof({ friendlyName: 'Ana' });
    const ms = await time(async () => {
      const res = await invoke(startChat, { mock, body });
      token = (res.body as { token: string }).token;
    });
    if (i >= WARM_UP) startTimes.push(ms);
  }
  const refreshTimes: number[] = [];
  for (let i = 0; i < 500 + WARM_UP; i++) {
    const ms = await time(() => invoke(refreshToken, { mock, body: { token } }));
    if (i >= WARM_UP) refreshTimes.push(ms);
  }
  return { start: median(startTimes), refresh: median(refreshTimes) };
}

export async function handlerTime(mock: TwilioMock): Promise<void> {
  const o = await overhead(mock);
  const row = table(
    'Handler time with a zero-latency local mock (median, includes loopback HTTP to the mock)',
    ['function'],
    ['median'],
  );
  row('start-chat, studio mode (challenge verified, 2 Twilio requests)', `${fmt(o.start, 2)} ms`);
  row('refresh-token (1 Twilio request)', `${fmt(o.refresh, 2)} ms`);
}

import { agentDisplayName as widgetAgentName } from '../client/lib/agent-name';
import {
  escapeHtml,
  TRANSCRIPT_MAX_CHARS,
  transcriptContent,
  transcriptLanguage,
  zoneLabel,
} from './transcript';
import { agentDisplayName } from './transcript-agents';
import { knownTimeZone, parseTranscriptRequest } from './transcript-request';

const at = new Date('2026-12-03T09:30:00Z');
const UTC = { locale: 'en', timeZone: 'UTC' };

describe('transcript content', () => {
  it('escapes every piece of chat text in the HTML, and keeps the plain text as said', () => {
    const mail = transcriptContent(
      [
        { by: 'customer', at, text: `<img src=x onerror=alert(1)> & "quotes" 'too'`, files: [] },
        { by: 'agent', at, text: '', files: ['<b>receipt</b>.pdf'] },
      ],
      UTC,
    );
    expect(mail.text).toContain(`[9:30 AM] You: <img src=x onerror=alert(1)> & "quotes" 'too'`);
    expect(mail.text).toContain('[9:30 AM] Agent: File: <b>receipt</b>.pdf');
    expect(mail.html).toContain(
      '&lt;img src=x onerror=alert(1)&gt; &amp; &quot;quotes&quot; &#39;too&#39;',
    );
    expect(mail.html).toContain('File: &lt;b&gt;receipt&lt;/b&gt;.pdf');
    expect(mail.html).not.toMatch(/<img|<b>/);
    expect(mail.html).toContain('<html lang="en">');
  });

  it('speaks the chat’s language, and English for anything else', () => {
    expect(transcriptLanguage('es-MX')).toBe('es');
    expect(transcriptLanguage('fr')).toBe('en');
    expect(transcriptLanguage(undefined)).toBe('en');
    const es = transcriptContent([], { locale: 'es', timeZone: 'UTC' });
    expect(es.subject).toBe('La transcripción de tu chat');
    expect(es.text).toContain('No se dijo nada en este chat.');
    expect(es.text).toContain('Las horas están en UTC.');
  });

  it('escapes the five HTML characters', () => {
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });

  it('gives times in the customer’s zone, names the zone, and dates a line on another day', () => {
    const late = new Date('2026-12-03T22:50:00Z'); // 23:50 in Madrid
    const next = new Date('2026-12-03T23:10:00Z'); // 00:10 the next day there
    const lines = [
      { by: 'customer' as const, at: late, text: 'Hola', files: [] },
      { by: 'agent' as const, name: 'Alex', at: next, text: 'Hi', files: [] },
    ];
    const en = transcriptContent(lines, { locale: 'en', timeZone: 'Europe/Madrid' });
    expect(en.text).toContain(
      'Here is the conversation you had with us (December 3, 2026). Times are in Central European Time (Europe/Madrid).',
    );
    expect(en.text).toContain('[11:50 PM] You: Hola');
    expect(en.text).toContain('[Dec 4, 2026, 12:10 AM] Alex: Hi');
    const es = transcriptContent(lines, { locale: 'es', timeZone: 'Europe/Madrid' });
    expect(es.text).toContain('Las horas están en hora de Europa central (Europe/Madrid).');
    expect(es.text).toContain('[23:50] Tú: Hola');
    expect(es.text).toMatch(/\[4 dic 2026, 0:10\] Alex: Hi/);
    // DST: 9:30 UTC is 1:30 in Los Angeles in December, 2:30 in July.
    const la = (d: string) =>
      transcriptContent([{ by: 'customer', at: new Date(d), text: 'x', files: [] }], {
        locale: 'en',
        timeZone: 'America/Los_Angeles',
      }).text;
    expect(la('2026-12-03T09:30:00Z')).toContain('[1:30 AM] You: x');
    expect(la('2026-07-03T09:30:00Z')).toContain('[2:30 AM] You: x');
    expect(zoneLabel('en', 'UTC')).toBe('UTC');
    expect(zoneLabel('es', 'Etc/UTC')).toBe('UTC');
  });

  it('says where a long chat’s middle is left out, in both languages', () => {
    const lines = [
      { by: 'customer' as const, at, text: 'first', files: [] },
      { by: 'cut' as const, first: 500, last: 500 },
      { by: 'agent' as const, at, text: 'last', files: [] },
    ];
    const en = transcriptContent(lines, UTC);
    expect(en.text).toContain(
      '[…] Notice: This chat was too long to send whole: here are its first 500 and last 500 messages.\n[9:30 AM] Agent: last',
    );
    expect(en.html).toContain('<em>This chat was too long');
    const es = transcriptContent(lines, { locale: 'es', timeZone: 'UTC' });
    expect(es.text).toContain('sus primeros 500 y sus últimos 500 mensajes.');
  });

  it('shortens only the longest messages when all of them would make too big an email', () => {
    const long = 'x'.repeat(32_000); // Twilio's most
    const lines = Array.from({ length: 1000 }, (_, i) => ({
      by: 'customer' as const,
      at,
      text: i % 10 === 0 ? `${i}:${long}` : `ordinary ${i}`,
      files: [],
    }));
    const mail = transcriptContent(lines, UTC);
    expect(mail.text).toContain('] You: ordinary 999\n');
    const shortened = mail.text.split('\n').filter((l) => l.includes('[shortened: '));
    expect(shortened).toHaveLength(100);
    expect(mail.text.length).toBeLessThan(TRANSCRIPT_MAX_CHARS + 200_000);
    // The JSON SendGrid gets, text and HTML: well under its 20 MB.
    expect(JSON.stringify(mail).length).toBeLessThan(5_000_000);
    expect(transcriptContent(lines, { locale: 'es', timeZone: 'UTC' }).text).toContain(
      '… [acortado: el correo sería demasiado grande]',
    );
    const small = transcriptContent(lines.slice(0, 10), UTC);
    expect(small.text).toContain(`] You: 0:${long}\n`);
    expect(
      transcriptContent(lines.slice(0, 1), { locale: 'es', timeZone: 'UTC' }).text,
    ).not.toContain('acortado');
  });

  it('names agents by the site’s role label when given', () => {
    const mail = transcriptContent([{ by: 'agent', at, text: 'Hi', files: [] }], {
      ...UTC,
      agentLabel: 'Support team',
    });
    expect(mail.text).toContain('] Support team: Hi');
  });
});

describe('agent names', () => {
  const cases: [string | null, string][] = [
    ['Alex Smith', 'alex.smith@acme.example'],
    ['  María José Pérez ', 'mjp'],
    ['alex.smith@acme.example', 'alex.smith@acme.example'],
    ['ops/alex Smith', 'a1'],
    ['', 'a2'],
    [null, 'a3'],
  ];
  it.each(['full', 'first', 'role'] as const)(
    'shows no more than the widget does under %s, and never the identity',
    (mode) => {
      for (const [name, identity] of cases) {
        const server = agentDisplayName(name, identity, mode, 'Agent');
        const widget = widgetAgentName({ name: name ?? identity, identity }, mode, 'Agent');
        // The same, except where the widget would fall back to a bare name or identity.
        expect([widget.trim(), 'Agent']).toContain(server);
        expect(server).not.toContain('@');
      }
    },
  );

  it('gives first names and labels as the widget does', () => {
    expect(agentDisplayName('Alex Smith', 'a', 'first', 'Agent')).toBe('Alex');
    expect(agentDisplayName('Alex Smith', 'a', 'full', 'Agent')).toBe('Alex Smith');
    expect(agentDisplayName('Alex Smith', 'a', 'role', 'Agente')).toBe('Agente');
    expect(agentDisplayName('a@b.c', 'x', 'first', 'Agent')).toBe('Agent');
  });
});

describe('the transcript request', () => {
  const base = { token: 'a.b.c', conversationSid: `CH${'a'.repeat(32)}` };
  const fieldsOf = (error: unknown) =>
    (error as { fields?: { field: string }[] }).fields?.map((f) => f.field);

  it('defaults to role labels and UTC, and takes a zone Intl knows as the browser named it', () => {
    expect(parseTranscriptRequest(base)).toEqual({ ...base, agentName: 'role', timeZone: 'UTC' });
    expect(
      parseTranscriptRequest({
        ...base,
        agentName: 'first',
        agentRoleLabel: ' Support ',
        timeZone: 'US/Pacific',
      }),
    ).toEqual({
      ...base,
      agentName: 'first',
      agentRoleLabel: 'Support',
      timeZone: 'US/Pacific',
    });
  });

  it('falls back to UTC for a well-formed zone this Intl does not know', () => {
    expect(knownTimeZone('Mars/Olympus_Mons')).toBeUndefined();
    expect(parseTranscriptRequest({ ...base, timeZone: 'Mars/Olympus_Mons' }).timeZone).toBe('UTC');
  });

  it.each([
    [{ agentName: 'fullest' }, ['agentName']],
    [{ timeZone: '../../etc/passwd' }, ['timeZone']],
    [{ timeZone: 'Europe/Madrid<script>' }, ['timeZone']],
    [{ timeZone: 'x'.repeat(65) }, ['timeZone']],
    [{ timeZone: 5 }, ['timeZone']],
    [{ agentRoleLabel: 'two\nlines' }, ['agentRoleLabel']],
    [{ agentRoleLabel: 'x'.repeat(61) }, ['agentRoleLabel']],
  ])('refuses %j naming the field', (extra, fields) => {
    let thrown: unknown;
    try {
      parseTranscriptRequest({ ...base, ...extra });
    } catch (error) {
      thrown = error;
    }
    expect(fieldsOf(thrown)).toEqual(fields);
  });
});

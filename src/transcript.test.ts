import { escapeHtml, transcriptContent, transcriptLanguage } from './transcript';

const at = new Date('2026-12-03T09:30:00Z');

describe('transcript content', () => {
  it('escapes every piece of chat text in the HTML, and keeps the plain text as said', () => {
    const mail = transcriptContent(
      [
        { by: 'customer', at, text: `<img src=x onerror=alert(1)> & "quotes" 'too'`, files: [] },
        { by: 'agent', at, text: '', files: ['<b>receipt</b>.pdf'] },
      ],
      'en',
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
    const es = transcriptContent([], 'es');
    expect(es.subject).toBe('La transcripción de tu chat');
    expect(es.text).toContain('No se dijo nada en este chat.');
  });

  it('escapes the five HTML characters', () => {
    expect(escapeHtml(`<>&"'`)).toBe('&lt;&gt;&amp;&quot;&#39;');
  });
});

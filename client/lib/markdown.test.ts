/**
 * Rich text (markdown.ts, markdown-linkify.ts, markdown-host.ts): what an
 * agent's Markdown and anyone's plain URLs become, and that nothing unsafe
 * can: the tree holds only the elements markdown-host.ts names, and links
 * only to http:, https:, mailto: and tel:.
 */
import { Lexer, type Token, type Tokens } from 'marked';
import { formatText, registerFormatter, richText, type Rich } from './markdown-host';
import { agentText, formatter, plainText } from './markdown';
import { linkify, safeHref } from './markdown-linkify';

const a = (href: string, text = href): Rich => ({ tag: 'a', href, children: [text] });

/** Every link in a tree, and every tag used. */
function walk(parts: readonly Rich[], found = { hrefs: [] as string[], tags: new Set<string>() }) {
  for (const part of parts) {
    if (typeof part === 'string') continue;
    found.tags.add(part.tag);
    if (part.tag === 'a') found.hrefs.push(part.href);
    walk(part.children, found);
  }
  return found;
}

describe('an agent’s Markdown', () => {
  it('renders each element Flex agents send', () => {
    expect(
      agentText('**bold** *it* _it2_ ~~gone~~ `x < y` [Docs](https://example.com/docs)'),
    ).toEqual([
      {
        tag: 'p',
        children: [
          { tag: 'strong', children: ['bold'] },
          ' ',
          { tag: 'em', children: ['it'] },
          ' ',
          { tag: 'em', children: ['it2'] },
          ' ',
          { tag: 'del', children: ['gone'] },
          ' ',
          { tag: 'code', children: ['x < y'] },
          ' ',
          a('https://example.com/docs', 'Docs'),
        ],
      },
    ]);
    expect(agentText('- one\n- **two**\n\n3. three\n4. four')).toEqual([
      {
        tag: 'ul',
        children: [
          { tag: 'li', children: ['one'] },
          { tag: 'li', children: [{ tag: 'strong', children: ['two'] }] },
        ],
      },
      {
        tag: 'ol',
        start: 3,
        children: [
          { tag: 'li', children: ['three'] },
          { tag: 'li', children: ['four'] },
        ],
      },
    ]);
    expect(agentText('```\nif (a < b) {}\n```\n> quoted')).toEqual([
      { tag: 'pre', children: [{ tag: 'code', children: ['if (a < b) {}'] }] },
      { tag: 'blockquote', children: [{ tag: 'p', children: ['quoted'] }] },
    ]);
  });

  it('keeps line breaks as typed, and shows a heading as a bold line', () => {
    expect(agentText('Hi Ana,\nyour order shipped.')).toEqual([
      { tag: 'p', children: ['Hi Ana,', { tag: 'br', children: [] }, 'your order shipped.'] },
    ]);
    expect(agentText('# Steps')).toEqual([
      { tag: 'p', children: [{ tag: 'strong', children: ['Steps'] }] },
    ]);
  });

  it('links plain URLs, www. and email addresses', () => {
    const { hrefs } = walk(
      agentText('See https://example.com/a_(b). Or www.example.org, or write to help@example.com'),
    );
    expect(hrefs).toEqual([
      'https://example.com/a_(b)',
      'http://www.example.org/',
      'mailto:help@example.com',
    ]);
  });

  it('links only http:, https:, mailto: and tel:; any other link is the text that was written', () => {
    const text = [
      '[a](https://example.com) [b](http://example.com) [c](mailto:a@example.com) [d](tel:+15551234)',
      '[e](javascript:alert(1)) [f](JavaScript:alert(1)) [g](java\tscript:alert(1))',
      '[h](data:text/html,<script>alert(1)</script>) [i](vbscript:x) [j](/relative) [k](//evil.example)',
      '[l](javascript&colon;alert(1)) [m](&#106;avascript:alert(1)) <javascript:alert(1)>',
    ].join('\n');
    const parts = agentText(text);
    expect(walk(parts).hrefs).toEqual([
      'https://example.com/',
      'http://example.com/',
      'mailto:a@example.com',
      'tel:+15551234',
    ]);
    const shown = richText(parts);
    expect(shown).toContain('[e](javascript:alert(1))');
    expect(shown).toContain('[j](/relative)');
  });

  it('shows raw HTML as text, and never loads an image', () => {
    const parts = agentText(
      'Hi <img src=x onerror="alert(1)"> <script>alert(2)</script>\n\n<div onclick="x()">block</div>\n\n![logo](https://tracker.example/p.png) ![x](javascript:alert(3))',
    );
    const { tags, hrefs } = walk(parts);
    expect([...tags].sort()).toEqual(['a', 'p']);
    expect(hrefs).toEqual(['https://tracker.example/p.png']);
    const shown = richText(parts);
    expect(shown).toContain('<img src=x onerror="alert(1)">');
    expect(shown).toContain('<script>alert(2)</script>');
    expect(shown).toContain('<div onclick="x()">block</div>');
    expect(shown).toContain('![x](javascript:alert(3))');
  });

  it('builds nothing but the allowed elements, whatever the input', () => {
    const allowed = new Set(['p', 'strong', 'em', 'del', 'code', 'pre', 'ul', 'ol', 'li']);
    ['blockquote', 'br', 'a'].forEach((t) => allowed.add(t));
    const nasty =
      '| a | b |\n|---|---|\n| <b>1</b> | 2 |\n\n---\n\n[ref]: javascript:alert(1)\n\n[x][ref] <iframe src=//x>\n\n<style>*{}</style>';
    for (const tag of walk(agentText(nasty)).tags) expect(allowed).toContain(tag);
    expect(walk(agentText(nasty)).hrefs).toEqual([]);
  });
});

describe('plain text (the customer’s messages)', () => {
  it('is the text as written, Markdown and HTML included, with URLs linked', () => {
    expect(plainText('**not bold** <b>x</b> see https://example.com/x?a=1.')).toEqual([
      '**not bold** <b>x</b> see ',
      a('https://example.com/x?a=1'),
      '.',
    ]);
    expect(plainText('javascript:alert(1) and [y](javascript:alert(1))')).toEqual([
      'javascript:alert(1) and [y](javascript:alert(1))',
    ]);
  });

  // (GFM also links ftp://, which neither side allows: see safeHref.)
  it('links what GFM links in agents’ messages, no more, no less', () => {
    const samples = [
      'https://example.com',
      'http://example.com/path?q=1#top',
      'www.example.com',
      'www.example.com/a.',
      'Visit www.example.com, today!',
      '(see https://example.com/a_(b))',
      'https://example.com/a)b)',
      'mail ana.maria+chat@example.co.uk.',
      'nope: example.com, ftp://example.com, http://, www., a@b',
      'two https://a.example/x and https://b.example/y?',
      'http://localhost:3000/x and https://example.com/?q="quoted"',
      'Email me at ana@example.com. Thanks',
      'link*https://example.com/x* _www.example.com_ (www.example.com)',
      'https://example.com/search?q=a&b=c; next',
      'https://example.com/@user and (a.b@c.example-d.org)',
      'a@b@c.example x@y.example- and ana@example.com.',
    ];
    for (const sample of samples) {
      const fromMarked = gfmLinks(Lexer.lex(sample, { gfm: true }));
      const ours = linkify(sample)
        .filter((p) => typeof p !== 'string')
        .map((p) => p.text);
      expect({ sample, links: ours }).toEqual({ sample, links: fromMarked });
    }
  });
});

/** The text of every autolink marked found. */
function gfmLinks(tokens: Token[], out: string[] = []): string[] {
  for (const token of tokens) {
    const link = token.type === 'link' ? (token as Tokens.Link) : undefined;
    if (link?.autolink && safeHref(link.href)) out.push(link.text);
    if ('tokens' in token && token.tokens) gfmLinks(token.tokens, out);
  }
  return out;
}

describe('safeHref', () => {
  it.each([
    ['https://example.com/a b', 'https://example.com/a%20b'],
    ['HTTP://EXAMPLE.COM', 'http://example.com/'],
    ['tel:+1 555', 'tel:+1 555'],
  ])('allows %s', (href, expected) => expect(safeHref(href)).toBe(expected));

  it.each([
    'javascript:alert(1)',
    ' javascript:x',
    'java\nscript:x',
    'data:,x',
    'file:///etc',
    '/x',
    '',
  ])('refuses %j', (href) => expect(safeHref(href)).toBeUndefined());
});

describe('the host in webchat.js', () => {
  it('gives plain text until the formatter is registered, then blocks for agents only', () => {
    expect(formatText('**hi** https://x.example', 'agent')).toEqual({
      block: false,
      parts: ['**hi** https://x.example'],
    });
    registerFormatter(formatter);
    expect(formatText('**hi**', 'agent')).toEqual({
      block: true,
      parts: [{ tag: 'p', children: [{ tag: 'strong', children: ['hi'] }] }],
    });
    expect(formatText('**hi** https://x.example', 'customer')).toEqual({
      block: false,
      parts: ['**hi** ', a('https://x.example/', 'https://x.example')],
    });
  });

  it('reads a tree as text, a block per line', () => {
    expect(richText(agentText('Hi **Ana**\n\n- one\n- two'))).toBe('Hi Ana\none\ntwo');
  });
});

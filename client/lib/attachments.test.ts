import {
  ACCEPT_ATTRIBUTE,
  checkAttachments,
  contentTypeOf,
  MAX_ATTACHMENT_BYTES,
} from './attachments';

const file = (name: string, size = 10) => ({ name, size });

describe("Flex web chat's attachment rules", () => {
  it.each([
    'a.jpg',
    'a.JPEG',
    'a.png',
    'a.amr',
    'a.mp3',
    'a.mp4',
    'a.pdf',
    'a.heic',
    'a.txt',
    'a.gif',
  ])('accepts %s', (name) => expect(checkAttachments([file(name)])).toBeUndefined());

  it.each(['a.exe', 'a.svg', 'a.html', 'a.zip', 'a.webp', 'noextension', 'a.pdf.exe'])(
    'refuses %s',
    (name) =>
      expect(checkAttachments([file(name)])).toEqual({ key: 'attach.badType', params: { name } }),
  );

  it('allows exactly 16 MB, not a byte more', () => {
    expect(checkAttachments([file('a.pdf', MAX_ATTACHMENT_BYTES)])).toBeUndefined();
    expect(checkAttachments([file('a.pdf', MAX_ATTACHMENT_BYTES + 1)])?.key).toBe(
      'attach.tooLarge',
    );
    expect(MAX_ATTACHMENT_BYTES).toBe(16_777_216);
  });

  it('takes one file per message, and no empty ones', () => {
    expect(checkAttachments([file('a.pdf'), file('b.pdf')])?.key).toBe('attach.tooMany');
    expect(checkAttachments([file('a.pdf', 0)])?.key).toBe('attach.empty');
    expect(checkAttachments([])).toBeUndefined();
  });

  it('names the content type by extension and lists what the picker accepts', () => {
    expect(contentTypeOf('Photo.JPG')).toBe('image/jpeg');
    expect(contentTypeOf('voice.amr')).toBe('audio/amr');
    expect(ACCEPT_ATTRIBUTE.split(',')).toEqual(
      expect.arrayContaining(['.pdf', '.heic', 'application/pdf']),
    );
  });
});

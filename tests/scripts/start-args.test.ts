/**
 * `npm start`'s port: PORT or `npm start -- --port N`, never both, and
 * exactly one `--port` reaches twilio-run.
 */
import { DEFAULT_PORT, startArgs, StartArgsError } from '../../scripts/start-args';

describe('npm start: the port', () => {
  it('defaults to 3000 and passes other arguments on', () => {
    expect(startArgs(['--ngrok'], {})).toEqual({ port: DEFAULT_PORT, rest: ['--ngrok'] });
    expect(DEFAULT_PORT).toBe(3000);
  });

  it('takes PORT', () => {
    expect(startArgs([], { PORT: '3002' })).toEqual({ port: 3002, rest: [] });
  });

  it.each([
    [['--port', '3001', '--ngrok'], ['--ngrok']],
    [['--ngrok', '--port=3001'], ['--ngrok']],
    [['-p', '3001'], []],
  ])('takes %j from the arguments and removes it', (argv, rest) => {
    expect(startArgs(argv, {})).toEqual({ port: 3001, rest });
  });

  it('refuses a port given both ways, or twice', () => {
    expect(() => startArgs(['--port', '3001'], { PORT: '3002' })).toThrow(
      /both as PORT and as --port/,
    );
    expect(() => startArgs(['--port', '3001', '--port=3002'], {})).toThrow(/once/);
  });

  it.each([
    [['--port', 'abc'], {}, /--port must be a port number.*"abc"/],
    [['--port'], {}, /--port must be a port number/],
    [[], { PORT: '70000' }, /PORT must be a port number.*"70000"/],
    [[], { PORT: '30.5' }, /PORT must be a port number/],
  ])('refuses %j %j', (argv, env, message) => {
    expect(() => startArgs(argv, env)).toThrow(StartArgsError);
    expect(() => startArgs(argv, env)).toThrow(message);
  });

  it('treats a blank PORT as unset', () => {
    expect(startArgs(['--port', '3005'], { PORT: ' ' })).toEqual({ port: 3005, rest: [] });
  });
});

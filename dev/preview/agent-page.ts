/**
 * The preview's agent page (/agent): lists the chats waiting for an agent
 * (the Flex tasks /interaction created in the local fake), joins one, shows
 * the customer's messages live (long polling /agent/api/poll), sends text
 * and files, and ends the chat as an agent does in Flex.
 */
import type {
  AgentChat,
  ConversationView,
  LoggedEvent,
  PollAnswer,
  WireMessage,
  WireParticipant,
} from './wire';
import { agentIdentity } from './wire';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const nameInput = $<HTMLInputElement>('agent-name');
const chatList = $<HTMLUListElement>('chats');
const chatSection = $<HTMLElement>('chat');
const messageList = $<HTMLOListElement>('messages');
const typingLine = $<HTMLParagraphElement>('typing');
const endedLine = $<HTMLParagraphElement>('ended');
const composer = $<HTMLFormElement>('composer');
const textInput = $<HTMLTextAreaElement>('text');
const fileInput = $<HTMLInputElement>('file');
const errorLine = $<HTMLParagraphElement>('error');

let open: { sid: string; customer: string; names: Map<string, string> } | undefined;
let seq = 0;
let lastTyping = 0;

const identity = () => agentIdentity(nameInput.value.trim() || 'Agent');

async function call<T>(action: string, body: Record<string, unknown> | FormData): Promise<T> {
  const isForm = body instanceof FormData;
  const response = await fetch(`/agent/api/${action}`, {
    method: 'POST',
    headers: isForm ? {} : { 'Content-Type': 'application/json' },
    body: isForm ? body : JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (!response.ok) throw new Error(answer.error ?? `HTTP ${response.status}`);
  return answer;
}

function report(error: unknown): void {
  errorLine.textContent = error instanceof Error ? error.message : String(error);
}

function element<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string) {
  const el = document.createElement(tag);
  if (text !== undefined) el.textContent = text;
  if (className) el.className = className;
  return el;
}

// --- the list of chats ---------------------------------------------------------

async function refreshChats(): Promise<void> {
  const { chats } = await call<{ chats: AgentChat[] }>('chats', {});
  $('no-chats').hidden = chats.length > 0;
  chatList.replaceChildren(...chats.map(chatItem));
}

function chatItem(chat: AgentChat): HTMLLIElement {
  const item = element('li');
  const status =
    chat.status === 'waiting'
      ? 'waiting for an agent'
      : chat.status === 'joined'
        ? `with ${chat.agents.join(', ')}`
        : 'ended';
  item.append(element('strong', chat.customer), ` (${status})`);
  if (chat.question) item.append(element('p', chat.question));
  const mine = chat.agents.includes(nameInput.value.trim());
  const button = element('button', chat.status === 'waiting' ? 'Join' : mine ? 'Open' : 'View');
  button.type = 'button';
  button.setAttribute('aria-label', `${button.textContent ?? ''} the chat with ${chat.customer}`);
  button.addEventListener('click', () => {
    const go = chat.status === 'waiting' ? join(chat) : show(chat.conversationSid, chat.customer);
    go.catch(report);
  });
  item.append(button);
  return item;
}

async function join(chat: AgentChat): Promise<void> {
  const name = nameInput.value.trim();
  if (!name) {
    nameInput.focus();
    throw new Error('Give your name first: the customer sees it.');
  }
  localStorage.setItem('preview-agent-name', name);
  await call('join', { taskSid: chat.taskSid, name });
  await show(chat.conversationSid, chat.customer);
}

// --- the open chat ---------------------------------------------------------------

async function show(conversationSid: string, customer: string): Promise<void> {
  const view = await call<ConversationView>('conversation', { conversationSid });
  open = { sid: view.sid, customer, names: new Map() };
  for (const p of view.participants) rememberName(p);
  $('chat-heading').textContent = `Chat with ${customer}`;
  messageList.replaceChildren(...view.messages.map(messageItem));
  setEnded(view.status === 'closed');
  chatSection.hidden = false;
  typingLine.textContent = '';
  textInput.focus();
  messageList.scrollTop = messageList.scrollHeight;
  void call('read', { conversationSid, identity: identity() }).catch(() => undefined);
}

function rememberName(p: WireParticipant): void {
  if (open && p.identity) open.names.set(p.identity, p.name);
}

function setEnded(ended: boolean): void {
  endedLine.hidden = !ended;
  composer.hidden = ended;
}

function messageItem(m: WireMessage): HTMLLIElement {
  const mine = m.author === identity();
  const author =
    m.author === 'system' || m.author === null
      ? 'System'
      : mine
        ? 'You'
        : (open?.names.get(m.author) ?? m.author);
  const item = element(
    'li',
    undefined,
    mine ? 'from-agent' : m.author === 'system' ? 'system' : 'from-customer',
  );
  item.append(element('strong', `${author}: `));
  if (m.body) item.append(element('span', m.body));
  for (const media of m.media) {
    const link = element('a', media.filename ?? 'file');
    link.href = media.url;
    link.target = '_blank';
    if (media.contentType.startsWith('image/')) {
      const img = element('img');
      img.src = media.url;
      img.alt = media.filename ?? 'image';
      item.append(img);
    }
    item.append(' ', link);
  }
  return item;
}

function apply(event: LoggedEvent): void {
  if (!open || event.conversationSid !== open.sid) return;
  switch (event.type) {
    case 'messageAdded':
      messageList.append(messageItem(event.message));
      messageList.scrollTop = messageList.scrollHeight;
      if (event.message.author !== identity()) {
        typingLine.textContent = '';
        void call('read', { conversationSid: open.sid, identity: identity() }).catch(
          () => undefined,
        );
      }
      return;
    case 'participantJoined':
    case 'participantLeft':
      rememberName(event.participant);
      if (event.participant.identity !== identity()) {
        const verb = event.type === 'participantJoined' ? 'joined' : 'left';
        messageList.append(element('li', `${event.participant.name} ${verb} the chat`, 'system'));
      }
      return;
    case 'participantUpdated':
      return rememberName(event.participant);
    case 'typingStarted':
    case 'typingEnded':
      if (event.participant.identity === identity()) return;
      typingLine.textContent =
        event.type === 'typingStarted' ? `${event.participant.name} is typing…` : '';
      return;
    case 'statusChanged':
      return setEnded(event.status === 'closed');
    case 'removed':
      return setEnded(true);
    case 'chats':
      return;
  }
}

composer.addEventListener('submit', (event) => {
  event.preventDefault();
  if (!open) return;
  const text = textInput.value.trim();
  const file = fileInput.files?.[0];
  if (!text && !file) return;
  let sending: Promise<unknown>;
  if (file) {
    const form = new FormData();
    form.set('conversationSid', open.sid);
    form.set('identity', identity());
    if (text) form.set('text', text);
    form.set('file', file, file.name);
    sending = call('media', form);
  } else {
    sending = call('send', { conversationSid: open.sid, identity: identity(), text });
  }
  sending.then(() => {
    textInput.value = '';
    fileInput.value = '';
    errorLine.textContent = '';
  }, report);
});

textInput.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    composer.requestSubmit();
  }
});

textInput.addEventListener('input', () => {
  if (!open || Date.now() - lastTyping < 2000) return;
  lastTyping = Date.now();
  void call('typing', { conversationSid: open.sid, identity: identity() }).catch(() => undefined);
});

$('end').addEventListener('click', () => {
  if (open) call('end', { conversationSid: open.sid }).catch(report);
});

nameInput.addEventListener('change', () =>
  localStorage.setItem('preview-agent-name', nameInput.value.trim()),
);

// --- live updates --------------------------------------------------------------

async function follow(): Promise<void> {
  for (;;) {
    try {
      const answer = await call<PollAnswer>('poll', { since: seq });
      seq = answer.seq;
      let listChanged = false;
      for (const event of answer.events) {
        if (event.type === 'chats') listChanged = true;
        apply(event);
      }
      if (listChanged) await refreshChats();
      errorLine.textContent = '';
    } catch {
      errorLine.textContent = 'The preview is not answering. Is npm run preview still running?';
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
}

async function main(): Promise<void> {
  nameInput.value = localStorage.getItem('preview-agent-name') ?? 'Alex';
  const { seq: now } = await call<{ chats: AgentChat[]; seq: number }>('chats', {});
  seq = now;
  await refreshChats();
  void follow();
}

main().catch(report);

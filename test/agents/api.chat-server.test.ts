import { afterEach, describe, expect, it } from 'vitest';
import { rateLimitedOnce, startChatServer } from '../fixtures/model-servers/openai-chat-server.js';
import type { ChatServer } from '../fixtures/model-servers/openai-chat-server.js';

let server: ChatServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const post = (body: unknown) =>
  fetch(`${server?.baseURL ?? ''}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

const messages = [
  { role: 'system', content: 'You are helpful. '.repeat(20) },
  { role: 'user', content: 'Hi' },
];

/** The scripted server the api agent's tests and the token benchmark rely on. */
describe('scripted OpenAI chat server', () => {
  it('answers plain JSON when not streaming, with a tool call', async () => {
    server = await startChatServer([{ toolCalls: [{ name: 'list_files', arguments: { path: '.' } }] }]);
    const reply = (await (await post({ model: 'm', messages })).json()) as Record<string, unknown>;
    expect(reply).toMatchObject({
      object: 'chat.completion',
      model: 'm',
      choices: [
        {
          finish_reason: 'tool_calls',
          message: {
            role: 'assistant',
            content: null,
            tool_calls: [
              { id: 'call_1', type: 'function', function: { name: 'list_files', arguments: '{"path":"."}' } },
            ],
          },
        },
      ],
    });
  });

  it('streams chunks ending with [DONE], with a usage chunk only when asked', async () => {
    server = await startChatServer([{ text: 'Hello there, how are you today?' }, { text: 'Again.' }]);
    const plain = await (await post({ model: 'm', messages, stream: true })).text();
    const events = plain.trim().split('\n\n');
    expect(events.at(-1)).toBe('data: [DONE]');
    expect(plain).not.toContain('"usage"');
    const text = events
      .slice(0, -1)
      .map(
        (event) => JSON.parse(event.slice('data: '.length)) as { choices: { delta: { content?: string } }[] },
      )
      .map((chunk) => chunk.choices[0]?.delta.content ?? '')
      .join('');
    expect(text).toBe('Hello there, how are you today?');
    const withUsage = await (
      await post({ model: 'm', messages, stream: true, stream_options: { include_usage: true } })
    ).text();
    expect(withUsage).toMatch(/"choices":\[\],"usage":\{"prompt_tokens":\d+/);
  });

  it('reports as cached the prefix a request shares with an earlier one', async () => {
    server = await startChatServer(() => ({ text: 'ok' }));
    await post({ model: 'm', messages });
    await post({
      model: 'm',
      messages: [...messages.slice(0, 1), { role: 'user', content: 'Something else entirely' }],
    });
    const [first, second] = server.exchanges.map((exchange) => exchange.usage);
    expect(first?.prompt_tokens_details.cached_tokens).toBe(0);
    const systemChars = JSON.stringify(messages[0]).length;
    expect(second?.prompt_tokens_details.cached_tokens).toBeGreaterThanOrEqual(Math.floor(systemChars / 4));
    expect(second?.prompt_tokens_details.cached_tokens).toBeLessThan(second?.prompt_tokens ?? 0);
  });

  it('plays errors with their status and says when the script has run out', async () => {
    server = await startChatServer([{ error: { status: 429 } }]);
    const limited = await post({ model: 'm', messages });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after-ms')).toBe('10');
    const exhausted = await post({ model: 'm', messages });
    expect(exhausted.status).toBe(400);
    expect(await exhausted.text()).toContain('no turn for request 1');
  });

  it('answers a 429 with a plain Retry-After once, then plays on', async () => {
    server = await startChatServer(rateLimitedOnce(2, [{ text: 'ok' }]));
    const limited = await post({ model: 'm', messages });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('2');
    expect(limited.headers.get('retry-after-ms')).toBeNull();
    expect((await post({ model: 'm', messages })).status).toBe(200);
  });
});

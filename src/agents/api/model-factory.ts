import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import type { LanguageModel, SystemModelMessage } from 'ai';
import type { ApiConfig } from './api-config.js';

/**
 * The language model a session talks to. The key comes from the session's explicit env only;
 * `undefined` is fine for local OpenAI-compatible servers (Ollama, LM Studio) that need none.
 */
export function createLanguageModel(config: ApiConfig, apiKey: string | undefined): LanguageModel {
  switch (config.provider) {
    case 'openai-compatible':
      return createOpenAICompatible({
        name: 'openai-compatible',
        baseURL: config.baseUrl ?? '',
        ...(apiKey === undefined ? {} : { apiKey }),
        // Ask for the usage chunk at the end of streams; without it a stream reports no tokens.
        includeUsage: true,
      }).chatModel(config.model);
    case 'anthropic':
      return createAnthropic({ apiKey, ...(config.baseUrl ? { baseURL: config.baseUrl } : {}) })(
        config.model,
      );
    case 'openai':
      // Chat Completions rather than Responses: the same wire format as every compatible server,
      // and OpenAI caches its prompt prefixes automatically either way.
      return createOpenAI({ apiKey, ...(config.baseUrl ? { baseURL: config.baseUrl } : {}) }).chat(
        config.model,
      );
  }
}

/**
 * The stable prefix as a system message. Anthropic caches only what is marked, so the prefix
 * carries a cache breakpoint there; OpenAI-style providers cache prefixes without being asked.
 */
export function systemMessage(config: ApiConfig, prefix: string): SystemModelMessage {
  if (config.provider !== 'anthropic') return { role: 'system', content: prefix };
  return {
    role: 'system',
    content: prefix,
    providerOptions: { anthropic: { cacheControl: { type: 'ephemeral' } } },
  };
}

import { describe, expect, it } from 'vitest';
import { endsInsidePrivateKey, redactDeep, redactKeysAcross, redactSecrets } from './redact.js';

const AWS_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const KEY_BODY = [
  'MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun',
  'VTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK',
  'LxoS2tFczGkPLPgizskuemMghRniWaoLcyehkd3qqGElvW/VDL5AaWTg0nLVkjRo',
];

describe('redactSecrets: token shapes', () => {
  it.each([
    ['key sk-ant-api03-abcdefghijklmnopqrstu', 'key sk-ant-[REDACTED]'],
    ['OPENAI sk-proj-ABCDEFGHIJKLMNOPQRSTUV', 'OPENAI sk-proj-[REDACTED]'],
    ['token ghp_abcdefghijklmnopqrstuvwxyz0123', 'token ghp_[REDACTED]'],
    ['aws AKIAABCDEFGHIJKLMNOP here', 'aws AKIA[REDACTED] here'],
    ['sts ASIAY34FZKBOKMUTVV7A', 'sts ASIA[REDACTED]'],
    ['slack xoxb-123456789012-abcdefABCDEF', 'slack xoxb-[REDACTED]'],
    ['gcp AIzaSyA-abcdefghijklmnopqrstuvwxyz01234', 'gcp AIza[REDACTED]'],
    ['gitlab glpat-xY9zAbCdEfGhIjKlMnOp', 'gitlab glpat-[REDACTED]'],
    ['npm npm_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5', 'npm npm_[REDACTED]'],
    ['pat github_pat_11ABCDEFG0123456789_abcdefghij', 'pat github_pat_[REDACTED]'],
    [
      'curl -H "Authorization: Bearer eyJhbGciOi.eyJzdWIi.Sfl3Kxw"',
      'curl -H "Authorization: Bearer [REDACTED]"',
    ],
    ['sent with Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc', 'sent with Bearer [REDACTED]'],
  ])('redacts %s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it.each([
    ['xyzghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6', 'xyzghp_[REDACTED]'],
    ['tokensk-ant-api03-Ab1Cd2Ef3Gh4Ij5Kl6Mn7', 'tokensk-ant-[REDACTED]'],
    ['id=FOO_AKIAIOSFODNN7EXAMPLE', 'id=FOO_AKIA[REDACTED]'],
    ['"x":"abcnpm_aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW3xY5"', '"x":"abcnpm_[REDACTED]"'],
  ])('redacts a token glued to other text: %s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });
});

describe('redactSecrets: values assigned to secret names', () => {
  it.each([
    [`AWS_SECRET_ACCESS_KEY=${AWS_SECRET}`, 'AWS_SECRET_ACCESS_KEY=[REDACTED]'],
    [`export AWS_SECRET_ACCESS_KEY="${AWS_SECRET}"`, 'export AWS_SECRET_ACCESS_KEY="[REDACTED]"'],
    [`aws_secret_access_key = ${AWS_SECRET}`, 'aws_secret_access_key = [REDACTED]'],
    ['aws_access_key_id = AKIAIOSFODNN7EXAMPLE', 'aws_access_key_id = AKIA[REDACTED]'],
    ['MY_SERVICE_PASSWORD=correcthorsebattery', 'MY_SERVICE_PASSWORD=[REDACTED]'],
    ['db_password: s3cr3t-Pass', 'db_password: [REDACTED]'],
    ['{"api_key": "abcd1234efgh5678"}', '{"api_key": "[REDACTED]"}'],
    ['{"clientSecret":"correct horse battery"}', '{"clientSecret":"[REDACTED]"}'],
    ['{\\"password\\": \\"hunter2hunter2\\"}', '{\\"password\\": \\"[REDACTED]\\"}'],
    ['Authorization: Bearer abcdefghijklmnop', 'Authorization: Bearer [REDACTED]'],
    ['Authorization: Basic dXNlcjpwYXNz', 'Authorization: Basic [REDACTED]'],
    ['X-Api-Key: 9f8e7d6c5b4a3210', 'X-Api-Key: [REDACTED]'],
    ['GET /cb?code=1&access_token=ya29.a0AfH6SMB&x=1', 'GET /cb?code=1&access_token=[REDACTED]&x=1'],
  ])('redacts %s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });

  it('stops a key=value secret at an escaped newline', () => {
    expect(redactSecrets('TOKEN=abcdefgh1234\\nnext')).toBe('TOKEN=[REDACTED]\\nnext');
  });
});

describe('redactSecrets: URL credentials', () => {
  it.each([
    ['git clone https://me:hunter2@github.com/o/r', 'git clone https://me:[REDACTED]@github.com/o/r'],
    ['DATABASE_URL=postgres://app:p@ss:w0rd@db:5432/x', 'DATABASE_URL=postgres://app:[REDACTED]@db:5432/x'],
    ['redis://:s3cret@cache:6379', 'redis://:[REDACTED]@cache:6379'],
  ])('keeps scheme and user, redacts the password: %s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });
});

describe('redactSecrets: private keys', () => {
  it.each([
    'OPENSSH PRIVATE KEY',
    'RSA PRIVATE KEY',
    'EC PRIVATE KEY',
    'ENCRYPTED PRIVATE KEY',
    'PRIVATE KEY',
  ])('redacts a whole %s block', (label) => {
    const key = `-----BEGIN ${label}-----\n${KEY_BODY.join('\n')}\n-----END ${label}-----`;
    expect(redactSecrets(`before\n${key}\nafter`)).toBe('before\n[REDACTED]\nafter');
  });

  it('redacts from a BEGIN to the end of the text when the END has not come', () => {
    const text = `cat key\n-----BEGIN RSA PRIVATE KEY-----\n${KEY_BODY[0]}\n${KEY_BODY[1]}`;
    expect(redactSecrets(text)).toBe('cat key\n[REDACTED]');
  });

  it('redacts a key inside a JSON string, where its newlines are escaped', () => {
    const json = `{"key":"-----BEGIN EC PRIVATE KEY-----\\n${KEY_BODY[0]}\\n-----END EC PRIVATE KEY-----\\n"}`;
    expect(redactSecrets(json)).toBe('{"key":"[REDACTED]\\n"}');
  });
});

describe('redactSecrets: known values', () => {
  it('replaces a known value anywhere, glued or escaped, whatever its shape', () => {
    const secret = 'local-provider-7f3a"9c';
    expect(redactSecrets(`x${secret}y and ${JSON.stringify(secret)}`, [secret])).toBe(
      'x[REDACTED]y and "[REDACTED]"',
    );
  });

  it('leaves short known values alone, which would blank ordinary text', () => {
    expect(redactSecrets('true is true', ['true'])).toBe('true is true');
  });
});

describe('redactSecrets leaves ordinary text and code alone', () => {
  it.each([
    'wrote src/skip.ts; tokens used: 120',
    'commit 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b',
    'Author: Jane Developer <jane@example.com>',
    '  password: string;',
    '  apiKey?: string | undefined;',
    'const key = process.env.API_KEY;',
    'const apiKey = process.env.API_KEY ?? config.apiKey;',
    'const token = getToken();',
    'const token = await fetchAccessToken(client);',
    'secret = os.environ["SECRET"]',
    'credentials: Credentials,',
    'const password = userInput;',
    'TOKEN=$(cat ~/.token)',
    'password: ${DB_PASSWORD}',
    'headers: { Authorization: `Bearer ${token}` },',
    'use Bearer authentication for the API.',
    '{"output_tokens": 12345678, "max_tokens": 100000}',
    'tokenizer: bert-base-uncased',
    'git checkout task-management-service-overview-2',
    'see https://user@example.com/path and git@github.com:o/r.git',
    "if (line.startsWith('-----BEGIN RSA PRIVATE KEY-----')) {",
  ])('%s', (text) => {
    expect(redactSecrets(text)).toBe(text);
  });
});

describe('redactKeysAcross', () => {
  it('removes a key block that spans several pieces, keeping what surrounds it', () => {
    const pieces = [
      '$ cat id_rsa',
      'x -----BEGIN RSA PRIVATE KEY-----',
      ...KEY_BODY,
      '-----END RSA PRIVATE KEY----- y',
      'done',
    ];
    expect(redactKeysAcross(pieces)).toEqual([
      '$ cat id_rsa',
      'x [REDACTED]',
      undefined,
      undefined,
      undefined,
      ' y',
      'done',
    ]);
  });

  it('removes an unterminated block to the last piece', () => {
    expect(redactKeysAcross(['-----BEGIN PRIVATE KEY-----', KEY_BODY[0] ?? ''])).toEqual([
      '[REDACTED]',
      undefined,
    ]);
  });
});

describe('endsInsidePrivateKey', () => {
  it('follows BEGIN and END markers from piece to piece', () => {
    expect(endsInsidePrivateKey('-----BEGIN OPENSSH PRIVATE KEY-----')).toBe(true);
    expect(endsInsidePrivateKey(KEY_BODY[0] ?? '', true)).toBe(true);
    expect(endsInsidePrivateKey('-----END OPENSSH PRIVATE KEY-----', true)).toBe(false);
    expect(endsInsidePrivateKey("'-----BEGIN RSA PRIVATE KEY-----'")).toBe(false);
  });
});

describe('redactDeep', () => {
  it('redacts strings anywhere in an event, so JSON quoting cannot hide or break them', () => {
    const event = {
      type: 'tool_call',
      input: {
        command: 'curl -H "Authorization: Bearer abcdef123456" https://x',
        body: '{"password": "hunter2hunter2"}',
      },
    };
    const line = JSON.stringify(redactDeep(event));
    expect(JSON.parse(line)).toEqual({
      type: 'tool_call',
      input: {
        command: 'curl -H "Authorization: Bearer [REDACTED]" https://x',
        body: '{"password": "[REDACTED]"}',
      },
    });
  });

  it('keeps and redacts a `__proto__` key parsed from JSON as data', () => {
    const input = JSON.parse('{"__proto__": {"key": "sk-ant-abcdefghijklmnopqrstuvwx"}, "n": 1}') as object;
    expect(JSON.stringify(redactDeep(input))).toBe('{"__proto__":{"key":"sk-ant-[REDACTED]"},"n":1}');
  });

  it('masks known values in text the patterns would pass over, with the same list again and again', () => {
    const known = ['plain-words-are-secret'];
    for (let i = 0; i < 3; i++)
      expect(redactSecrets('x plain-words-are-secret y', known)).toBe('x [REDACTED] y');
    expect(redactSecrets('nothing to see here', known)).toBe('nothing to see here');
  });
});

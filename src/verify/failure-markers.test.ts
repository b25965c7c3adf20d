import { describe, expect, it } from 'vitest';
import { failureCounts, failureMarkers, isCutOutput, recordedFailures } from './failure-markers.js';
import { usefulTail } from './useful-tail.js';

const ESC = '\u001b';

describe('failureMarkers on the outputs of real tools', () => {
  it('eslint stylish: each error as its file, message and rule; warnings and the summary are no failures', () => {
    const output = `
/tmp/wt/src/index.js
  3:7   error    'unused' is assigned a value but never used  no-unused-vars
  5:1   warning  Unexpected console statement                  no-console

/tmp/wt/src/util.js
  1:10  error  'x' is defined but never used  no-unused-vars
  9:3   error  Parsing error: Unexpected token }

✖ 4 problems (3 errors, 1 warning)
`;
    expect(failureMarkers(output, { roots: ['/tmp/wt'] })).toEqual([
      "src/index.js: 'unused' is assigned a value but never used no-unused-vars",
      "src/util.js: 'x' is defined but never used no-unused-vars",
      'src/util.js: Parsing error: Unexpected token }',
    ]);
  });

  it('eslint unix and compact formats', () => {
    const unix = `/tmp/wt/src/a.js:3:7: 'x' is assigned a value but never used. [Error/no-unused-vars]
/tmp/wt/src/a.js:4:1: Unexpected console statement. [Warning/no-console]`;
    const compact = `/tmp/wt/src/a.js: line 3, col 7, Error - 'x' is assigned a value but never used. (no-unused-vars)
/tmp/wt/src/a.js: line 4, col 1, Warning - Unexpected console statement. (no-console)`;
    expect(failureMarkers(unix, { roots: ['/tmp/wt'] })).toEqual([
      "src/a.js: 'x' is assigned a value but never used. [Error/no-unused-vars]",
    ]);
    expect(failureMarkers(compact, { roots: ['/tmp/wt'] })).toEqual([
      "src/a.js: 'x' is assigned a value but never used. (no-unused-vars)",
    ]);
  });

  it('tsc: plain and --pretty lines name the same failures', () => {
    const plain = `src/a.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.
src/b.ts(10,1): error TS2304: Cannot find name 'foo'.`;
    const pretty = `src/a.ts:3:7 - error TS2322: Type 'string' is not assignable to type 'number'.

3 const n: number = 'one';
        ~

src/b.ts:10:1 - error TS2304: Cannot find name 'foo'.

10 foo();
   ~~~

Found 2 errors in 2 files.

Errors  Files
     1  src/a.ts:3
     1  src/b.ts:10`;
    const expected = [
      "src/a.ts: error TS2322: Type 'string' is not assignable to type 'number'.",
      "src/b.ts: error TS2304: Cannot find name 'foo'.",
    ];
    expect(failureMarkers(plain)).toEqual(expected);
    expect(failureMarkers(pretty)).toEqual(expected);
    expect(failureMarkers("error TS5023: Unknown compiler option 'strictest'.")).toEqual([
      "error TS5023: Unknown compiler option 'strictest'.",
    ]);
  });

  it('flake8, ruff, mypy, gcc and go vet: errors only, without their notes and warnings', () => {
    const output = `src/app.py:1:1: F401 'os' imported but unused
src/app.py:2:8: F401 [*] \`sys\` imported but unused
src/app.py:12: error: Incompatible return value type (got "str", expected "int")  [return-value]
src/app.py:3: note: "f" defined here
Found 1 error in 1 file (checked 3 source files)
src/main.c:5:12: error: 'y' undeclared (first use in this function)
src/main.c:5:12: note: each undeclared identifier is reported only once
src/main.c:3:9: warning: unused variable 'x' [-Wunused-variable]
./pkg/fmt.go:7:2: fmt.Printf format %d has arg s of wrong type string`;
    expect(failureMarkers(output)).toEqual([
      "src/app.py: F401 'os' imported but unused",
      'src/app.py: F401 [*] `sys` imported but unused',
      'src/app.py: error: Incompatible return value type (got "str", expected "int") [return-value]',
      "src/main.c: error: 'y' undeclared (first use in this function)",
      'pkg/fmt.go: fmt.Printf format %d has arg s of wrong type string',
    ]);
  });

  it('rustc: an error with the file of its --> line; the summary is no failure', () => {
    const output = `error[E0425]: cannot find value \`y\` in this scope
 --> src/main.rs:3:13
  |
3 |     let x = y;
  |             ^ help: a local variable with a similar name exists: \`x\`

error: could not compile \`demo\` (bin "demo") due to 1 previous error`;
    expect(failureMarkers(output)).toEqual([
      'src/main.rs: error[E0425]: cannot find value `y` in this scope',
    ]);
  });

  it('pytest: the failing tests of its summary, not the traceback lines', () => {
    const output = `============================= test session starts ==============================
platform linux -- Python 3.11.4, pytest-7.4.0, pluggy-1.2.0
rootdir: /tmp/wt
collected 3 items

tests/test_math.py .F.                                                   [100%]

=================================== FAILURES ===================================
___________________________________ test_sub ___________________________________

    def test_sub():
>       assert sub(3, 1) == 3
E       assert 2 == 3

tests/test_math.py:9: AssertionError
src/math.py:4: in sub
=========================== short test summary info ============================
FAILED tests/test_math.py::test_sub - assert 2 == 3
FAILED tests/test_math.py::test_div[zero] - ZeroDivisionError: division by zero
ERROR tests/test_io.py - ModuleNotFoundError: No module named 'yaml'
=================== 2 failed, 1 passed, 1 error in 0.05s ===================`;
    expect(failureMarkers(output, { roots: ['/tmp/wt'] })).toEqual([
      'FAILED tests/test_math.py::test_sub',
      'FAILED tests/test_math.py::test_div[zero]',
      'ERROR tests/test_io.py',
    ]);
  });

  it('vitest, coloured: the failed test as listed and as reported, durations dropped', () => {
    const output = ` ${ESC}[31m❯${ESC}[39m src/math.test.ts ${ESC}[2m(${ESC}[22m3 tests | 1 failed${ESC}[2m)${ESC}[22m 6ms
   ${ESC}[31m×${ESC}[39m math > subtracts 4ms
     → expected 2 to be 3 // Object.is equality

⎯⎯⎯⎯⎯⎯⎯ Failed Tests 1 ⎯⎯⎯⎯⎯⎯⎯

 ${ESC}[41m FAIL ${ESC}[49m src/math.test.ts > math > subtracts
AssertionError: expected 2 to be 3 // Object.is equality

- Expected
+ Received

 ❯ src/math.test.ts:9:22
      8|   it('subtracts', () => {
      9|     expect(sub(3, 1)).toBe(3);

 Test Files  1 failed (1)
      Tests  1 failed | 2 passed (3)
   Start at  12:00:01
   Duration  312ms`;
    expect(failureMarkers(output)).toEqual([
      '× math > subtracts',
      'FAIL src/math.test.ts > math > subtracts',
    ]);
  });

  it('jest and mocha', () => {
    const jest = ` FAIL  src/math.test.js (5.123 s)
  math
    ✓ adds (2 ms)
    ✕ subtracts (3 ms)

  ● math › subtracts

    expect(received).toBe(expected) // Object.is equality
      at Object.toBe (src/math.test.js:9:22)

Tests:       1 failed, 1 passed, 2 total`;
    expect(failureMarkers(jest)).toEqual(['FAIL src/math.test.js', '× subtracts', '× math › subtracts']);
    const mocha = `  math
    ✓ adds
    1) subtracts

  1 passing (5ms)
  1 failing

  1) math
       subtracts:
     AssertionError [ERR_ASSERTION]: 2 == 3`;
    expect(failureMarkers(mocha)).toEqual(['failing: subtracts', 'failing: math']);
  });

  it('go test: each failed test and subtest, and the package, without durations', () => {
    const output = `--- FAIL: TestSub (0.00s)
    math_test.go:9: Sub(3, 1) = 2, want 3
--- FAIL: TestTable (0.01s)
    --- FAIL: TestTable/negative (0.00s)
        math_test.go:20: got -1
FAIL
FAIL	example.com/math	0.004s
ok  	example.com/other	0.002s
FAIL`;
    expect(failureMarkers(output)).toEqual([
      '--- FAIL: TestSub',
      '--- FAIL: TestTable',
      '--- FAIL: TestTable/negative',
      'FAIL example.com/math',
    ]);
  });

  it('cargo test, unittest and TAP', () => {
    expect(
      failureMarkers(`test tests::add ... ok
test tests::sub ... FAILED

test result: FAILED. 1 passed; 1 failed; 0 ignored`),
    ).toEqual(['test tests::sub ... FAILED']);
    expect(
      failureMarkers(`FAIL: test_sub (tests.test_math.TestMath.test_sub)
----------------------------------------------------------------------
Traceback (most recent call last):
  File "/tmp/wt/tests/test_math.py", line 9, in test_sub
AssertionError: 2 != 3

FAILED (failures=1)`),
    ).toEqual(['FAIL: test_sub (tests.test_math.TestMath.test_sub)']);
    expect(failureMarkers('ok 1 - adds\nnot ok 2 - subtracts # time=1.2ms\n')).toEqual(['not ok subtracts']);
  });
});

describe('failureMarkers compares two runs of one check', () => {
  it('gives the same markers when edits moved the same errors to other lines, in another checkout', () => {
    const base = `/repo/.gaffer/baseline/worktrees/run/src/a.js
  3:7  error  'x' is assigned a value but never used  no-unused-vars
src/b.ts(4,1): error TS2304: Cannot find name 'foo'.
src/c.py:10:5: E501 line too long (90 > 79 characters)`;
    const task = `/repo/.gaffer/worktrees/run/task/src/a.js
  12:9  error  'x' is assigned a value but never used  no-unused-vars
src/b.ts(40,3): error TS2304: Cannot find name 'foo'.
src/c.py:31:5: E501 line too long (90 > 79 characters)`;
    const markers = failureMarkers(base, { roots: ['/repo/.gaffer/baseline/worktrees/run'] });
    expect(markers).toHaveLength(3);
    expect(failureMarkers(task, { roots: ['/repo/.gaffer/worktrees/run/task'] })).toEqual(markers);
  });

  it('de-duplicates, and caps the count and the length of markers', () => {
    expect(failureMarkers('a.py:1:1: E1 bad\na.py:7:1: E1 bad')).toEqual(['a.py: E1 bad']);
    const many = Array.from({ length: 600 }, (_, i) => `f${i}.py:1:1: E1 bad`).join('\n');
    expect(failureMarkers(many)).toHaveLength(500);
    const [long] = failureMarkers(`a.py:1:1: ${'x'.repeat(1000)}`);
    expect(long).toHaveLength(300);
  });

  it('finds nothing in an output that names no failure', () => {
    expect(failureMarkers('Segmentation fault (core dumped)\n')).toEqual([]);
    expect(failureMarkers('')).toEqual([]);
  });
});

describe('failureCounts', () => {
  it.each([
    ['✖ 4 problems (3 errors, 1 warning)', 3],
    ['Found 3 errors in 2 files.', 3],
    ['Found 1 error.', 1],
    ['=========== 2 failed, 10 passed, 1 error in 0.31s ===========', 3],
    [' Test Files  1 failed (1)\n      Tests  2 failed | 10 passed (12)', 2],
    ['Tests:       2 failed, 10 passed, 12 total', 2],
    ['FAILED (failures=2, errors=1)', 3],
    ['error: 3 errors', 3],
    ['  2 failing', 2],
    ['test result: FAILED. 8 passed; 2 failed; 0 ignored', 2],
    ['error: could not compile `demo` (bin "demo") due to 4 previous errors', 4],
  ])('%s → %i', (output, count) => {
    expect(failureCounts(output)).toBe(count);
  });

  it('is undefined when no summary states a count', () => {
    expect(failureCounts('src/a.ts(3,7): error TS2322: nope')).toBeUndefined();
  });
});

describe('recordedFailures of a base check', () => {
  it('records the markers and the count', () => {
    expect(recordedFailures('a.py:1:1: E1 bad\nFound 1 error.')).toEqual({
      markers: ['a.py: E1 bad'],
      failureCount: 1,
    });
  });

  it('records no markers of an output cut by usefulTail (a failure scrolled out would look new), but its count', () => {
    const lines = Array.from({ length: 200 }, (_, i) => `f${i}.py:1:1: E1 bad`);
    const cut = usefulTail([...lines, 'Found 200 errors.'].join('\n'));
    expect(isCutOutput(cut)).toBe(true);
    expect(recordedFailures(cut)).toEqual({ failureCount: 200 });
  });

  it('records nothing for an output it does not understand', () => {
    expect(isCutOutput('all good')).toBe(false);
    expect(recordedFailures('Segmentation fault')).toEqual({});
  });
});

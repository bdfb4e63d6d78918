// The risk engine's rule set as data (docs/risk.md): the active set, an editor whose JSON is the
// source of truth (the per-rule shadow and score controls rewrite it), a dry run that replays the
// recent decisions through the candidate, and activation by an admin after a confirmation.
import { useEffect, useMemo, useRef, useState, type RefObject } from 'react';
import { ApiError } from '../shared/api.js';
import { useT, type Text } from '../shared/i18n.js';
import { can } from './permissions.js';
import { useSession, useStaffApi } from './session.js';
import { ErrorNote, Loading, ScreenHeading, useDocumentTitle, useIdempotency, useLoad } from './ui.js';

type Outcome = 'approve' | 'challenge' | 'review' | 'decline';
const OUTCOMES: readonly Outcome[] = ['approve', 'challenge', 'review', 'decline'];

const OUTCOME_NAMES: Record<Outcome, Text> = {
  approve: { zh: '通过', en: 'Approve' },
  challenge: { zh: '加强验证', en: 'Step-up (challenge)' },
  review: { zh: '人工审核', en: 'Hold for review' },
  decline: { zh: '拒绝', en: 'Decline' },
};

/** The rule set as the server stores it (src/core/risk/rules.ts); read loosely, it is shown, not trusted. */
interface RuleSource {
  readonly id: string;
  readonly description?: string;
  readonly score?: number;
  readonly outcome?: Exclude<Outcome, 'approve'>;
  readonly shadow?: boolean;
  readonly showCustomer?: boolean;
}

interface RuleSetSource {
  readonly version: string;
  readonly thresholds: { readonly challenge: number; readonly review: number; readonly decline: number };
  readonly rules: readonly RuleSource[];
  readonly allow?: readonly unknown[];
  readonly block?: readonly unknown[];
}

interface ActiveRuleSet {
  readonly ruleSet: RuleSetSource;
  /** Rules that were compiled (all of them: a stored set is valid). */
  readonly rules: number;
}

interface DryRun {
  readonly candidateVersion: string;
  readonly activeVersion: string;
  readonly decisions: number;
  readonly active: Record<Outcome, number>;
  readonly candidate: Record<Outcome, number>;
  readonly changed: readonly { readonly decisionId: string; readonly paymentId: string | null; readonly from: Outcome; readonly to: Outcome; readonly hits: readonly string[] }[];
  readonly shadowHits: Record<string, number>;
}

interface Problem {
  readonly path: string;
  readonly message: string;
}

type Failure =
  | { readonly kind: 'text'; readonly text: Text }
  | { readonly kind: 'problems'; readonly problems: readonly Problem[] }
  | { readonly kind: 'api'; readonly error: unknown };

type Parsed = { readonly ok: true; readonly value: Record<string, unknown> } | { readonly ok: false; readonly reason: Text };

/** The server answers this many problems at most (src/service/risk.ts). */
const SERVER_PROBLEMS_MAX = 10;
/** The dry run lists at most this many changed decisions (src/service/risk.ts). */
const DRY_RUN_CHANGED_LISTED_MAX = 50;

function pretty(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses the editor's text; a syntax error says where, in lines and columns a person can find. */
function parseCandidate(text: string): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const at = /at position (\d+)/.exec(message);
    let where = '';
    if (at && !/line \d+/.test(message)) {
      const before = text.slice(0, Number(at[1]));
      const line = before.split('\n').length;
      const column = before.length - before.lastIndexOf('\n');
      where = ` (line ${line} column ${column})`;
    }
    return { ok: false, reason: { zh: `JSON 格式错误：${message}${where}`, en: `The JSON does not parse: ${message}${where}` } };
  }
  if (!isObject(value)) return { ok: false, reason: { zh: '规则集必须是一个 JSON 对象：{ version, thresholds, rules }', en: 'A rule set is a JSON object: { version, thresholds, rules }' } };
  return { ok: true, value };
}

/**
 * The server lists the problems of an invalid rule set in one message, `path: message; …`
 * (src/service/risk.ts); split at each "; " that starts the next path.
 */
function problemsOf(message: string): Problem[] {
  return message
    .split(/; (?=[A-Za-z0-9_.[\]]*: )/)
    .map((part) => {
      const at = part.indexOf(': ');
      const path = at >= 0 ? part.slice(0, at) : '';
      return at >= 0 && /^[A-Za-z0-9_.[\]]*$/.test(path) ? { path, message: part.slice(at + 2) } : { path: '', message: part };
    })
    .filter((p) => p.message !== '');
}

function ruleAt(parsed: Parsed, index: number): Record<string, unknown> | undefined {
  if (!parsed.ok || !Array.isArray(parsed.value.rules)) return undefined;
  const rule: unknown = parsed.value.rules[index];
  return isObject(rule) ? rule : undefined;
}

export function RulesScreen() {
  const { t } = useT();
  const call = useStaffApi();
  const { staff } = useSession();
  const mayDryRun = can(staff.role, 'dryRunRuleSet');
  const mayActivate = can(staff.role, 'activateRuleSet');
  const idempotency = useIdempotency();
  useDocumentTitle(t({ zh: '风控规则', en: 'Risk rules' }));
  const active = useLoad(() => call<ActiveRuleSet>('GET', '/v1/ops/risk/rule-set'), 'rule-set');
  const activeVersion = active.data?.ruleSet.version;

  // null until the active set arrives: the editor starts from it.
  const [text, setText] = useState<string | null>(null);
  const [busy, setBusy] = useState<'dry-run' | 'activate' | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [notice, setNotice] = useState('');
  const [run, setRun] = useState<{ readonly text: string; readonly result: DryRun } | null>(null);
  const [confirming, setConfirming] = useState(false);
  const editorRef = useRef<HTMLTextAreaElement>(null);
  const confirmRef = useRef<HTMLDivElement>(null);
  const runHeadingRef = useRef<HTMLHeadingElement>(null);
  // A new result takes the focus (and the view): it appears below the editor, out of sight.
  const [runSeq, setRunSeq] = useState(0);
  useEffect(() => {
    if (runSeq > 0) runHeadingRef.current?.focus();
  }, [runSeq]);

  useEffect(() => {
    if (text === null && active.data) setText(pretty(active.data.ruleSet));
  }, [active.data, text]);

  const source = text ?? '';
  const parsed = useMemo(() => parseCandidate(source), [source]);
  const candidateVersion = parsed.ok && typeof parsed.value.version === 'string' ? parsed.value.version : '';
  const sameVersion = parsed.ok && activeVersion !== undefined && candidateVersion === activeVersion;

  // A confirmation is for the text it was asked about: an edit withdraws it.
  useEffect(() => setConfirming(false), [source]);
  useEffect(() => {
    if (confirming) confirmRef.current?.focus();
  }, [confirming]);

  /** Rewrites the JSON through a change to its parsed value (the toggles and the version field). */
  const rewrite = (change: (ruleSet: Record<string, unknown>) => void) => {
    if (!parsed.ok) return;
    const copy = structuredClone(parsed.value);
    change(copy);
    setText(pretty(copy));
  };

  const showFailure = (error: unknown) => {
    if (error instanceof ApiError && error.code === 'RISK_RULE_SET_INVALID') setFailure({ kind: 'problems', problems: problemsOf(error.message) });
    else setFailure({ kind: 'api', error });
  };

  /** The candidate, or nothing (with the reason shown and the editor focused) when it does not parse. */
  const candidateOrExplain = (): Record<string, unknown> | undefined => {
    if (parsed.ok) return parsed.value;
    setFailure({
      kind: 'text',
      text: { zh: `未发送：${parsed.reason.zh}`, en: `Nothing was sent. ${parsed.reason.en}` },
    });
    editorRef.current?.focus();
    return undefined;
  };

  const dryRun = async () => {
    setNotice('');
    setFailure(null);
    const candidate = candidateOrExplain();
    if (!candidate) return;
    setBusy('dry-run');
    try {
      const result = await call<DryRun>('POST', '/v1/ops/risk/rule-set/dry-run', { body: { ruleSet: candidate } });
      const changed = result.changed.length;
      setRun({ text: source, result });
      setRunSeq((n) => n + 1);
      setNotice(
        t({
          zh: `试运行完成：重放了最近 ${result.decisions} 次决策，列出 ${changed} 次结果改变。`,
          en: `Dry run done: ${result.decisions} recent decision${result.decisions === 1 ? '' : 's'} replayed, ${changed} listed as changing outcome.`,
        }),
      );
    } catch (e) {
      showFailure(e);
    } finally {
      setBusy(null);
    }
  };

  const askToActivate = () => {
    setNotice('');
    setFailure(null);
    if (!candidateOrExplain()) return;
    if (sameVersion) {
      setFailure({
        kind: 'text',
        text: {
          zh: `请先修改版本号：${candidateVersion} 是当前生效的版本。每个生效过的规则集都要有自己的版本，决策记录才能对应到规则。`,
          en: `Change the version first: ${candidateVersion} is the active version. Every activated rule set needs its own version, so that each recorded decision names the rules that made it.`,
        },
      });
      document.getElementById('rules-version')?.focus();
      return;
    }
    setConfirming(true);
  };

  const activate = async () => {
    const candidate = candidateOrExplain();
    if (!candidate) return;
    const action = `activate:${source}`;
    setBusy('activate');
    setFailure(null);
    try {
      const done = await call<{ version: string; rules: number }>('POST', '/v1/ops/risk/rule-set', { body: { ruleSet: candidate }, idempotencyKey: idempotency.keyFor(action) });
      idempotency.settle(action);
      setConfirming(false);
      // The dry run compared against the set that was active before; it no longer describes anything.
      setRun(null);
      setNotice(t({ zh: `规则集 ${done.version} 已生效（${done.rules} 条规则）。`, en: `Rule set ${done.version} is active (${done.rules} rules).` }));
      active.reload();
    } catch (e) {
      idempotency.settle(action, e);
      setConfirming(false);
      showFailure(e);
    } finally {
      setBusy(null);
    }
  };

  // While the JSON does not parse, the controls keep showing the rules it last had (disabled),
  // instead of vanishing at every half-typed edit.
  const lastRules = useRef<readonly unknown[]>([]);
  if (parsed.ok) lastRules.current = Array.isArray(parsed.value.rules) ? (parsed.value.rules as unknown[]) : [];
  const rules = lastRules.current;
  const runIsCurrent = run !== null && run.text === source;

  return (
    <section>
      <div className="screen-head">
        <ScreenHeading>{t({ zh: '风控规则', en: 'Risk rules' })}</ScreenHeading>
        <button type="button" className="secondary" onClick={() => active.reload()} disabled={active.loading}>
          {t({ zh: '刷新', en: 'Refresh' })}
        </button>
      </div>
      <p className="muted">
        {t({
          zh: '风控引擎按这套规则决定每笔支付。修改后先试运行：用最近的真实决策重放，看哪些结果会变；影子模式的规则只记录命中，不影响结果。只有管理员可以让新规则生效，生效操作记入审计日志。',
          en: 'The risk engine decides every payment by this rule set. Dry-run a change first: it replays recent real decisions and shows which outcomes would change; a rule in shadow mode only records where it would fire. Only an admin can activate a rule set, and activation is audited.',
        })}
      </p>
      <ErrorNote error={active.error} prefix={{ zh: '规则集加载失败', en: 'The rule set could not be loaded' }} />
      {active.data ? <ActiveSummary active={active.data} /> : active.error ? null : <Loading />}

      {active.data && text !== null ? (
        <section className="card" aria-labelledby="rules-editor-title" data-testid="rules-editor">
          <h2 id="rules-editor-title">{t({ zh: '编辑候选规则集', en: 'Edit a candidate rule set' })}</h2>
          <label htmlFor="rules-version">{t({ zh: '版本号', en: 'Version' })}</label>
          <input
            id="rules-version"
            data-testid="rules-version"
            className="rules-version"
            value={candidateVersion}
            disabled={!parsed.ok}
            spellCheck={false}
            autoComplete="off"
            aria-describedby={sameVersion ? 'rules-version-note' : undefined}
            onChange={(e) => {
              const version = e.target.value;
              rewrite((r) => {
                r.version = version;
              });
            }}
          />
          {sameVersion ? (
            <p id="rules-version-note" className="banner warn small" data-testid="rules-version-same">
              {t({
                zh: `版本号与当前生效的版本（${activeVersion}）相同：生效前请改成新的版本号。`,
                en: `The version is the active one (${activeVersion}): give it a new version before activating.`,
              })}
            </p>
          ) : null}

          <div className="rules-editor">
            <div>
              <label htmlFor="rules-json">{t({ zh: '规则集（JSON）', en: 'Rule set (JSON)' })}</label>
              <textarea
                id="rules-json"
                ref={editorRef}
                data-testid="rules-json"
                className="rules-json"
                rows={28}
                spellCheck={false}
                autoComplete="off"
                autoCapitalize="off"
                value={source}
                aria-invalid={parsed.ok ? undefined : true}
                aria-describedby="rules-json-help rules-json-status"
                onChange={(e) => setText(e.target.value)}
              />
              <p id="rules-json-help" className="muted small">
                {t({
                  zh: '格式见 docs/risk.md：version、thresholds { challenge, review, decline }、rules [{ id, description, showCustomer?, when, score, outcome?, shadow? }]、allow、block。右侧的开关和分数会直接改写这段 JSON。',
                  en: 'Format in docs/risk.md: version, thresholds { challenge, review, decline }, rules [{ id, description, showCustomer?, when, score, outcome?, shadow? }], allow, block. The switches and scores beside it rewrite this JSON.',
                })}
              </p>
              <p id="rules-json-status" className={parsed.ok ? 'muted small' : 'error'} data-testid={parsed.ok ? undefined : 'rules-json-error'}>
                {parsed.ok ? t({ zh: 'JSON 格式正确。', en: 'The JSON parses.' }) : t(parsed.reason)}
              </p>
            </div>
            <RuleToggles
              rules={rules}
              disabled={!parsed.ok}
              onShadow={(index, shadow) =>
                rewrite((r) => {
                  const rule = (r.rules as Record<string, unknown>[])[index]!;
                  // Off is the default: the key goes, so a set that never used shadow mode stays as it was.
                  if (shadow) rule.shadow = true;
                  else delete rule.shadow;
                })
              }
              onScore={(index, score) =>
                rewrite((r) => {
                  (r.rules as Record<string, unknown>[])[index]!.score = score;
                })
              }
            />
          </div>

          <div className="row actions">
            {mayDryRun ? (
              <button type="button" data-testid="rules-dry-run" disabled={busy !== null} onClick={() => void dryRun()}>
                {busy === 'dry-run' ? t({ zh: '试运行中…', en: 'Running…' }) : t({ zh: '试运行', en: 'Dry run' })}
              </button>
            ) : null}
            {mayActivate ? (
              <button type="button" className="danger" data-testid="rules-activate" disabled={busy !== null || confirming} onClick={askToActivate}>
                {t({ zh: '生效…', en: 'Activate…' })}
              </button>
            ) : null}
            <button
              type="button"
              className="secondary"
              data-testid="rules-reset"
              disabled={busy !== null}
              onClick={() => {
                setText(pretty(active.data!.ruleSet));
                setFailure(null);
              }}
            >
              {t({ zh: '恢复为生效的规则集', en: 'Start again from the active set' })}
            </button>
          </div>
          <p role="status" aria-live="polite" className="notice" data-testid="rules-notice">
            {notice}
          </p>
          {!mayActivate ? (
            <p className="muted small" data-testid="rules-activate-note">
              {t({ zh: '只有管理员可以让规则集生效；试运行的结果可以交给管理员。', en: 'Only an admin can activate a rule set; hand them your dry run.' })}
            </p>
          ) : null}

          {confirming && mayActivate ? (
            <div className="banner warn rules-confirm" role="group" aria-labelledby="rules-confirm-title" tabIndex={-1} ref={confirmRef} data-testid="rules-confirm">
              <h3 id="rules-confirm-title">{t({ zh: `让规则集 ${candidateVersion} 生效？`, en: `Activate rule set ${candidateVersion}?` })}</h3>
              <p>
                {t({
                  zh: `它将取代 ${activeVersion}，从下一笔支付起决定所有支付。此操作记入审计日志。`,
                  en: `It replaces ${activeVersion} and decides every payment from the next one on. The activation is audited.`,
                })}
              </p>
              <p>
                {runIsCurrent
                  ? t({
                      zh: `试运行：最近 ${run.result.decisions} 次决策中列出 ${run.result.changed.length} 次结果改变。`,
                      en: `Dry run: of ${run.result.decisions} recent decisions, ${run.result.changed.length} listed as changing outcome.`,
                    })
                  : t({ zh: '这段规则集还没有试运行过。', en: 'This text has not been dry-run.' })}
              </p>
              <div className="row">
                <button type="button" className="danger" data-testid="rules-activate-confirm" disabled={busy !== null} onClick={() => void activate()}>
                  {busy === 'activate' ? t({ zh: '生效中…', en: 'Activating…' }) : t({ zh: `确认生效 ${candidateVersion}`, en: `Activate ${candidateVersion}` })}
                </button>
                <button type="button" className="secondary" data-testid="rules-activate-cancel" disabled={busy !== null} onClick={() => setConfirming(false)}>
                  {t({ zh: '取消', en: 'Cancel' })}
                </button>
              </div>
            </div>
          ) : null}

          <FailureNote failure={failure} parsed={parsed} />
        </section>
      ) : null}

      {run ? <DryRunView run={run.result} stale={!runIsCurrent} headingRef={runHeadingRef} /> : null}
      {active.data ? <ActiveRules active={active.data} /> : null}
    </section>
  );
}

function ActiveSummary({ active }: { active: ActiveRuleSet }) {
  const { t } = useT();
  const r = active.ruleSet;
  const shadowCount = r.rules.filter((rule) => rule.shadow === true).length;
  return (
    <section className="card" aria-labelledby="rules-active-title" data-testid="rules-active" data-version={r.version}>
      <h2 id="rules-active-title">{t({ zh: '当前生效的规则集', en: 'The active rule set' })}</h2>
      <dl className="fields">
        <dt>{t({ zh: '版本', en: 'Version' })}</dt>
        <dd>
          <code data-testid="rules-active-version">{r.version}</code>
        </dd>
        <dt>{t({ zh: '阈值', en: 'Thresholds' })}</dt>
        <dd data-testid="rules-active-thresholds">
          {t({
            zh: `总分 ≥ ${r.thresholds.challenge} 加强验证，≥ ${r.thresholds.review} 人工审核，≥ ${r.thresholds.decline} 拒绝`,
            en: `score ≥ ${r.thresholds.challenge} step-up, ≥ ${r.thresholds.review} hold for review, ≥ ${r.thresholds.decline} decline`,
          })}
        </dd>
        <dt>{t({ zh: '规则', en: 'Rules' })}</dt>
        <dd data-testid="rules-active-count">
          {t({ zh: `${active.rules} 条（其中影子模式 ${shadowCount} 条），列在本页末尾`, en: `${active.rules} (${shadowCount} in shadow mode), listed at the end of this page` })}
        </dd>
        <dt>{t({ zh: '名单', en: 'Lists' })}</dt>
        <dd data-testid="rules-active-lists">
          {t({ zh: `白名单 ${r.allow?.length ?? 0} 条，黑名单 ${r.block?.length ?? 0} 条`, en: `allow ${r.allow?.length ?? 0} entries, block ${r.block?.length ?? 0} entries` })}
        </dd>
      </dl>
    </section>
  );
}

/** The active rules as a table: below the editor, so a dry run's results sit next to its button. */
function ActiveRules({ active }: { active: ActiveRuleSet }) {
  const { t } = useT();
  const r = active.ruleSet;
  return (
    <section className="card" aria-labelledby="rules-list-title" data-testid="rules-active-rules">
      <h2 id="rules-list-title">{t({ zh: `生效规则集 ${r.version} 的规则`, en: `Rules of the active set ${r.version}` })}</h2>
      <div className="table-wrap">
        <table className="rules-table">
          <thead>
            <tr>
              <th scope="col">{t({ zh: '规则', en: 'Rule' })}</th>
              <th scope="col">{t({ zh: '说明', en: 'Description' })}</th>
              <th scope="col" className="num">
                {t({ zh: '分数', en: 'Score' })}
              </th>
              <th scope="col">{t({ zh: '至少', en: 'At least' })}</th>
              <th scope="col">{t({ zh: '影子', en: 'Shadow' })}</th>
            </tr>
          </thead>
          <tbody>
            {r.rules.map((rule, i) => (
              <tr key={`${i}:${rule.id}`} data-testid="active-rule" data-rule-id={rule.id} data-shadow={rule.shadow === true ? 'true' : 'false'}>
                <td>
                  <code>{rule.id}</code>
                </td>
                <td>{rule.description ?? ''}</td>
                <td className="num">{rule.score ?? ''}</td>
                <td>{rule.outcome ? t(OUTCOME_NAMES[rule.outcome]) : '—'}</td>
                <td>{rule.shadow === true ? t({ zh: '是', en: 'yes' }) : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function RuleToggles(props: { rules: readonly unknown[]; disabled: boolean; onShadow: (index: number, shadow: boolean) => void; onScore: (index: number, score: number) => void }) {
  const { t } = useT();
  return (
    <div className="rules-toggles">
      <h3 id="rules-toggles-title">{t({ zh: '逐条调整', en: 'Rule by rule' })}</h3>
      {props.disabled ? (
        <p className="muted small">{t({ zh: 'JSON 格式正确后才能使用这些开关。', en: 'These controls work once the JSON parses.' })}</p>
      ) : null}
      <div className="table-wrap">
        <table aria-labelledby="rules-toggles-title">
          <thead>
            <tr>
              <th scope="col">{t({ zh: '规则', en: 'Rule' })}</th>
              <th scope="col">{t({ zh: '影子模式', en: 'Shadow' })}</th>
              <th scope="col">{t({ zh: '分数', en: 'Score' })}</th>
            </tr>
          </thead>
          <tbody>
            {props.rules.map((rule, i) => {
              const r = isObject(rule) ? rule : {};
              const id = typeof r.id === 'string' && r.id !== '' ? r.id : `rules[${i}]`;
              return (
                <tr key={`${i}:${id}`} data-testid="rule-toggle" data-rule-id={id}>
                  <td>
                    <code>{id}</code>
                  </td>
                  <td>
                    <input
                      type="checkbox"
                      data-testid="rule-shadow"
                      checked={r.shadow === true}
                      disabled={props.disabled || !isObject(rule)}
                      aria-label={t({ zh: `规则 ${id} 影子模式`, en: `Shadow mode for ${id}` })}
                      onChange={(e) => props.onShadow(i, e.target.checked)}
                    />
                  </td>
                  <td>
                    <ScoreField
                      value={typeof r.score === 'number' ? r.score : undefined}
                      disabled={props.disabled || !isObject(rule)}
                      label={t({ zh: `规则 ${id} 的分数`, en: `Score of ${id}` })}
                      onCommit={(score) => props.onScore(i, score)}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** A score typed freely ("-", "") and written to the JSON whenever it is a number. */
function ScoreField(props: { value: number | undefined; disabled: boolean; label: string; onCommit: (score: number) => void }) {
  const [draft, setDraft] = useState(props.value === undefined ? '' : String(props.value));
  useEffect(() => {
    // The JSON changed elsewhere: show its value unless the draft already says the same.
    setDraft((d) => (d.trim() !== '' && Number(d) === props.value ? d : props.value === undefined ? '' : String(props.value)));
  }, [props.value]);
  return (
    <input
      type="number"
      className="rules-score"
      data-testid="rule-score"
      step="any"
      min={-1000}
      max={1000}
      inputMode="decimal"
      value={draft}
      disabled={props.disabled}
      aria-label={props.label}
      onChange={(e) => {
        const v = e.target.value;
        setDraft(v);
        const n = Number(v);
        if (v.trim() !== '' && Number.isFinite(n)) props.onCommit(n);
      }}
    />
  );
}

function FailureNote({ failure, parsed }: { failure: Failure | null; parsed: Parsed }) {
  const { t } = useT();
  if (!failure) return null;
  if (failure.kind === 'api') return <ErrorNote error={failure.error} prefix={{ zh: '操作未完成', en: 'That did not go through' }} />;
  if (failure.kind === 'text') {
    return (
      <p role="alert" className="error" data-testid="rules-failure">
        {t(failure.text)}
      </p>
    );
  }
  return (
    <div role="alert" className="banner bad" data-testid="rules-failure">
      <p>{t({ zh: '服务器拒绝了这个规则集（RISK_RULE_SET_INVALID）：', en: 'The server refused this rule set (RISK_RULE_SET_INVALID):' })}</p>
      <ul className="rules-problems" data-testid="rules-problems">
        {failure.problems.map((p, i) => {
          const rule = /^rules\[(\d+)\]/.exec(p.path);
          const id = rule ? ruleAt(parsed, Number(rule[1]))?.id : undefined;
          return (
            <li key={i} data-testid="rules-problem" data-path={p.path}>
              <code>{p.path === '' ? t({ zh: '（整体）', en: '(the whole set)' }) : p.path}</code>
              {typeof id === 'string' ? <span>{t({ zh: `（规则 ${id}）`, en: ` (rule ${id})` })}</span> : null}: {p.message}
            </li>
          );
        })}
      </ul>
      {failure.problems.length >= SERVER_PROBLEMS_MAX ? (
        <p className="small">{t({ zh: `服务器最多列出 ${SERVER_PROBLEMS_MAX} 个问题；改正后再试运行一次。`, en: `The server lists at most ${SERVER_PROBLEMS_MAX} problems; fix these and run again.` })}</p>
      ) : null}
    </div>
  );
}

function DryRunView({ run, stale, headingRef }: { run: DryRun; stale: boolean; headingRef: RefObject<HTMLHeadingElement | null> }) {
  const { t } = useT();
  const shadow = Object.entries(run.shadowHits).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const signed = (n: number) => (n > 0 ? `+${n}` : n < 0 ? `−${-n}` : '0');
  return (
    <section className="card" aria-labelledby="dry-run-title" data-testid="dry-run" data-candidate-version={run.candidateVersion} data-active-version={run.activeVersion} data-decisions={run.decisions}>
      <h2 id="dry-run-title" ref={headingRef} tabIndex={-1} className="screen-title">
        {t({ zh: '试运行结果', en: 'Dry run' })}
      </h2>
      {stale ? (
        <p className="banner warn small" data-testid="dry-run-stale">
          {t({ zh: '试运行之后规则集又改过了：这里的结果对应的是改动之前的版本，请再试运行一次。', en: 'The rule set was edited after this dry run: these results are for the earlier text. Run it again.' })}
        </p>
      ) : null}
      <p>
        {run.decisions === 0
          ? t({ zh: '还没有记录的决策，没有可重放的数据。', en: 'No decision has been recorded yet: there is nothing to replay.' })
          : t({
              zh: `用最近 ${run.decisions} 次决策的特征重放，比较生效的 ${run.activeVersion} 与候选的 ${run.candidateVersion}。`,
              en: `The ${run.decisions} most recent decisions replayed: ${run.activeVersion} (active) against ${run.candidateVersion} (candidate).`,
            })}
      </p>
      <div className="table-wrap">
        <table className="rules-counts" data-testid="dry-run-counts">
          <caption className="sr-only">{t({ zh: '各结果的决策数：生效与候选', en: 'Decisions per outcome: active and candidate' })}</caption>
          <thead>
            <tr>
              <th scope="col">{t({ zh: '结果', en: 'Outcome' })}</th>
              <th scope="col" className="num">
                {t({ zh: `生效（${run.activeVersion}）`, en: `Active (${run.activeVersion})` })}
              </th>
              <th scope="col" className="num">
                {t({ zh: `候选（${run.candidateVersion}）`, en: `Candidate (${run.candidateVersion})` })}
              </th>
              <th scope="col" className="num">
                {t({ zh: '变化', en: 'Change' })}
              </th>
            </tr>
          </thead>
          <tbody>
            {OUTCOMES.map((o) => {
              const change = run.candidate[o] - run.active[o];
              return (
                <tr key={o} data-testid="dry-run-outcome" data-outcome={o}>
                  <th scope="row">{t(OUTCOME_NAMES[o])}</th>
                  <td className="num" data-col="active">
                    {run.active[o]}
                  </td>
                  <td className="num" data-col="candidate">
                    {run.candidate[o]}
                  </td>
                  <td className={change === 0 ? 'num' : 'num rules-changed'} data-col="change">
                    {signed(change)}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>

      <h3>{t({ zh: '结果会改变的决策', en: 'Decisions whose outcome changes' })}</h3>
      {run.changed.length === 0 ? (
        <p className="muted" data-testid="dry-run-unchanged">
          {t({ zh: '没有决策的结果会改变。', en: 'No decision would change outcome.' })}
        </p>
      ) : (
        <>
          <p className="muted small" data-testid="dry-run-changed-count" data-count={run.changed.length}>
            {run.changed.length >= DRY_RUN_CHANGED_LISTED_MAX
              ? t({ zh: `列出最新的 ${DRY_RUN_CHANGED_LISTED_MAX} 次（可能还有更多）。`, en: `The newest ${DRY_RUN_CHANGED_LISTED_MAX} are listed (there may be more).` })
              : t({ zh: `共 ${run.changed.length} 次，最新的在前。`, en: `${run.changed.length} in all, newest first.` })}
          </p>
          <div className="table-wrap">
            <table className="hits">
              <caption className="sr-only">{t({ zh: '结果会改变的决策', en: 'Decisions whose outcome changes' })}</caption>
              <thead>
                <tr>
                  <th scope="col">{t({ zh: '决策', en: 'Decision' })}</th>
                  <th scope="col">{t({ zh: '支付', en: 'Payment' })}</th>
                  <th scope="col">{t({ zh: '生效 → 候选', en: 'Active → candidate' })}</th>
                  <th scope="col">{t({ zh: '候选规则集命中的规则', en: 'Rules the candidate fires' })}</th>
                </tr>
              </thead>
              <tbody>
                {run.changed.map((c) => (
                  <tr key={c.decisionId} data-testid="dry-run-changed" data-decision-id={c.decisionId} data-payment-id={c.paymentId ?? ''} data-from={c.from} data-to={c.to}>
                    <td>
                      <code>{c.decisionId}</code>
                    </td>
                    <td>{c.paymentId ? <code>{c.paymentId}</code> : '—'}</td>
                    <td>
                      {t(OUTCOME_NAMES[c.from])} → <strong>{t(OUTCOME_NAMES[c.to])}</strong>
                    </td>
                    <td>
                      {c.hits.length === 0
                        ? '—'
                        : c.hits.map((h, i) => (
                            <span key={h}>
                              {i > 0 ? ', ' : ''}
                              <code>{h}</code>
                            </span>
                          ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}

      <h3>{t({ zh: '影子规则命中', en: 'Shadow rules that would fire' })}</h3>
      {shadow.length === 0 ? (
        <p className="muted" data-testid="dry-run-no-shadow">
          {t({ zh: '候选规则集中没有影子规则命中。', en: 'No shadow rule of the candidate fires on these decisions.' })}
        </p>
      ) : (
        <div className="table-wrap">
          <table>
            <caption className="sr-only">{t({ zh: '影子规则命中次数', en: 'Shadow rule hits' })}</caption>
            <thead>
              <tr>
                <th scope="col">{t({ zh: '规则', en: 'Rule' })}</th>
                <th scope="col" className="num">
                  {t({ zh: '命中次数', en: 'Would fire' })}
                </th>
              </tr>
            </thead>
            <tbody>
              {shadow.map(([id, n]) => (
                <tr key={id} data-testid="dry-run-shadow" data-rule-id={id} data-count={n}>
                  <td>
                    <code>{id}</code>
                  </td>
                  <td className="num">{n}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

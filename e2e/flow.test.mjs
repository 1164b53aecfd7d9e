// Browser test: the Erqi demo served by the real binary, driven in Debian's headless
// Chromium through playwright-core. Every role signs in; a reporter files June 2018 progress
// for 保利豫见里, submits; the unit leader approves; the district accepts; the leader sees the
// light change on the dashboard. Screenshots go to target/screenshots/ for review.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { chromium } = require(process.env.PLAYWRIGHT_CORE || 'playwright-core');

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const shots = path.join(root, 'target', 'screenshots');
const binary = path.join(root, 'target', 'debug', 'taizhang');
const PASSWORD = 'erqi-demo-2018';
let server, base, browser, work;

before(async () => {
  mkdirSync(path.join(shots, 'pages'), { recursive: true });
  work = mkdtempSync(path.join(tmpdir(), 'taizhang-e2e-'));
  server = spawn(binary, ['--db', `sqlite://${work}/e2e.db`, 'serve', '--demo', '--listen', '127.0.0.1:0', '--admin-password', 'e2e-admin-password'], { stdio: ['ignore', 'pipe', 'inherit'] });
  base = await new Promise((resolve, reject) => {
    let out = '';
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/taizhang 已启动：(http:\/\/\S+)/);
      if (m) resolve(m[1]);
    });
    server.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  server?.kill();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function signIn(username, viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill('#username', username);
  await page.fill('#password', PASSWORD);
  await page.click('button[type=submit]');
  // The 监督员 and the 值班长 start at their cases, 基层党建's people at their organisations.
  await page.waitForURL((url) => ['/', '/cases', '/party'].includes(url.pathname));
  return page;
}

async function greenCount(page) {
  await page.goto(`${base}/?period=2018-06`);
  const text = await page.locator('.card.green b').innerText();
  return Number(text);
}

test('a month of reporting, role by role, changes the light on the dashboard', async () => {
  const leader = await signIn('district_leader');
  const before = await greenCount(leader);
  await leader.screenshot({ path: path.join(shots, '1-leader-dashboard-before.png'), fullPage: true });

  const admin = await signIn('fgw_admin');
  await admin.goto(`${base}/admin`);
  await admin.fill('form[action="/admin/rounds"] #period', '2018-06');
  await admin.click('form[action="/admin/rounds"] button[type=submit]');
  await admin.waitForURL(/\/admin\?opened=\d+$/);
  assert.match(await admin.content(), /已开启2018年6月项目进度填报，应报单位\d+个/);
  assert.match(await admin.content(), /各单位报送情况/);
  assert.match(await admin.content(), /填报中/);
  await admin.screenshot({ path: path.join(shots, '2-admin-round-opened.png'), fullPage: true });

  const reporter = await signIn('zjj_reporter');
  await reporter.goto(`${base}/report`);
  await reporter.click('a[href$="/erqi-zjj/ZD2018-001"]');
  await reporter.fill('#month', '60000');
  await reporter.fill('#ytd', '60000');
  await reporter.fill('#since_start', '60000');
  await reporter.fill('#text', '主体结构施工');
  await reporter.screenshot({ path: path.join(shots, '3-reporter-form.png'), fullPage: true });
  await reporter.click('form[action$="/erqi-zjj/ZD2018-001"] button[type=submit]');
  await reporter.waitForURL(/\/report\?saved=ZD2018-001$/);
  assert.match(await reporter.content(), /已保存ZD2018-001/);
  assert.match(await reporter.content(), /草稿/);
  await reporter.click('form[action$="/erqi-zjj/submit"] button[type=submit]');
  await reporter.waitForLoadState();
  assert.match(await reporter.content(), /已上报1条记录/);
  await reporter.screenshot({ path: path.join(shots, '4-reporter-submitted.png'), fullPage: true });

  const unitLeader = await signIn('zjj_leader');
  await unitLeader.goto(`${base}/review`);
  assert.match(await unitLeader.content(), /ZD2018-001/);
  await unitLeader.screenshot({ path: path.join(shots, '5-unit-leader-review.png'), fullPage: true });
  await unitLeader.click('form[action$="/erqi-zjj/approve"] button[type=submit]');
  await unitLeader.waitForURL(`${base}/review?done=approved`);
  assert.match(await unitLeader.content(), /已审核通过，报区级审核/);

  const reviewer = await signIn('dcs_reviewer');
  await reviewer.goto(`${base}/review`);
  assert.match(await reviewer.content(), /待审1条/);
  await reviewer.click('form[action$="/erqi-zjj/accept"] button[type=submit]');
  await reviewer.waitForURL(`${base}/review?done=accepted`);
  await reviewer.screenshot({ path: path.join(shots, '6-reviewer-accepted.png'), fullPage: true });

  const after = await greenCount(leader);
  assert.equal(after, before + 1, 'the accepted month turns 保利豫见里 green');
  await leader.screenshot({ path: path.join(shots, '7-leader-dashboard-after.png'), fullPage: true });
  await leader.goto(`${base}/projects/ZD2018-001`);
  assert.match(await leader.content(), /主体结构施工/);
  assert.match(await leader.content(), /区级已通过/);
  await leader.screenshot({ path: path.join(shots, '8-project-page.png'), fullPage: true });
});

test('a leader orders a 督办 from a red project, the unit answers, the leader closes it', async () => {
  const leader = await signIn('district_leader');
  await leader.goto(`${base}/projects/SL2018-047`);
  assert.match(await leader.content(), /倒排工期/);
  await leader.click('text=对此项目下达督办');
  await leader.waitForURL(/\/orders\?subject=SL2018-047/);
  const deadline = new Date(Date.now() + 10 * 86400000).toISOString().slice(0, 10);
  await leader.fill('form[action="/orders"] #title', '加快推进示例项目047');
  await leader.fill('form[action="/orders"] #requirement', '月底前完成年计划的一半');
  await leader.fill('form[action="/orders"] #deadline', deadline);
  await leader.screenshot({ path: path.join(shots, '9-leader-issues-duban.png'), fullPage: true });
  await leader.click('form[action="/orders"][method=post] button[type=submit]');
  await leader.waitForURL(`${base}/orders?done=order-issued`);
  assert.match(await leader.content(), /已下达督办/);
  assert.match(await leader.content(), /加快推进示例项目047/);

  const reporter = await signIn('zjj_reporter');
  await reporter.goto(`${base}/orders`);
  assert.equal(await reporter.locator('header a[href="/orders"]').innerText(), '督办（1）');
  const respond = reporter.locator('form[action$="/respond"]').first();
  await respond.locator('textarea').fill('已约谈施工单位，增加班组（附件：进度计划.pdf）');
  await respond.locator('button[type=submit]').click();
  await reporter.waitForURL(`${base}/orders?done=order-answered`);
  assert.match(await reporter.content(), /已反馈待审核/);
  await reporter.screenshot({ path: path.join(shots, '10-unit-responds.png'), fullPage: true });

  await leader.goto(`${base}/orders`);
  await leader.locator('form[action$="/close"] button[type=submit]').first().click();
  await leader.waitForURL(`${base}/orders?done=order-closed`);
  assert.match(await leader.content(), /已办结/);
  await leader.screenshot({ path: path.join(shots, '11-leader-closes.png'), fullPage: true });
  await reporter.goto(`${base}/orders`);
  assert.equal(await reporter.locator('header a[href="/orders"]').innerText(), '督办', 'the count is gone once closed');
});

test('a 数字城管 case goes from a 监督员\'s phone to 结案 through four roles', async () => {
  // The 监督员 reports from a phone: a class, the point, what is wrong.
  const jdy = await signIn('jdy', { width: 390, height: 844 });
  assert.equal(new URL(jdy.url()).pathname, '/cases');
  const form = jdy.locator('form[action="/cases"][method=post]');
  await form.locator('select[name=class]').selectOption('S-SR-01');
  await form.locator('input[name=lon]').fill('113.6351');
  await form.locator('input[name=lat]').fill('34.7051');
  await form.locator('input[name=address]').fill('德化街与二七路口');
  await form.locator('textarea[name=description]').fill('路口西侧暴露垃圾');
  await jdy.screenshot({ path: path.join(shots, '15-inspector-reports-on-a-phone.png'), fullPage: true });
  await form.locator('button[type=submit]').click();
  await jdy.waitForURL(/\/cases\/\d+\?done=case-reported$/);
  const at = new URL(jdy.url()).pathname;
  assert.match(await jdy.content(), /已上报案件/);
  assert.match(await jdy.content(), /德化街街道/);
  const step = (page, name) => page.locator(`form:has(input[name=step][value=${name}])`);

  // The 值班长 files it and dispatches it to the class's unit.
  const zbz = await signIn('zbz');
  await zbz.goto(`${base}${at}`);
  await step(zbz, 'file').locator('button[type=submit]').click();
  await zbz.waitForURL(`${base}${at}?done=case-stepped`);
  await step(zbz, 'dispatch').locator('button[type=submit]').click();
  await zbz.waitForURL(`${base}${at}?done=case-stepped`);
  assert.match(await zbz.content(), /区城市管理局/);
  await zbz.screenshot({ path: path.join(shots, '16-dispatcher-dispatched.png'), fullPage: true });

  // The unit disposes of it; the 监督员 checks it on site; the 值班长 closes it.
  const cgj = await signIn('cgj_reporter');
  await cgj.goto(`${base}${at}`);
  await step(cgj, 'dispose').locator('input[name=text]').fill('已清理');
  await step(cgj, 'dispose').locator('button[type=submit]').click();
  await cgj.waitForURL(`${base}${at}?done=case-stepped`);
  await jdy.goto(`${base}${at}`);
  await step(jdy, 'check').filter({ hasText: '核查通过' }).locator('button[type=submit]').click();
  await jdy.waitForURL(`${base}${at}?done=case-stepped`);
  await zbz.goto(`${base}${at}`);
  await step(zbz, 'close').locator('button[type=submit]').click();
  await zbz.waitForURL(`${base}${at}?done=case-stepped`);
  const closed = await zbz.content();
  assert.match(closed, /（已结案）/);
  for (const said of ['上报', '立案', '派遣', '处置', '核查通过', '结案']) assert.match(closed, new RegExp(said));
  await zbz.screenshot({ path: path.join(shots, '17-case-closed.png'), fullPage: true });
});

test('a 支部书记 submits the checklist, the street reviews, the district confirms, the star appears on the dashboard', async () => {
  const leader = await signIn('district_leader');
  assert.match(await leader.content(), /2018年参加星级评定的党组织11个，其中五星级4个/);
  const sheet = `${base}/party/orgs/EQ-HHL-S1?year=2018`;
  // Each turn's items at full points (the label says them: "1.1 …（8分）"), with evidence.
  const scoreAll = async (page) => {
    const form = page.locator('form[action="/party/orgs/EQ-HHL-S1/scores"]');
    await form.locator('input[name^="points_"]').evaluateAll((inputs) => {
      for (const input of inputs) {
        const full = input.labels[0]?.textContent.match(/（([\d.]+)分）$/);
        if (full) input.value = full[1];
      }
    });
    for (const evidence of await form.locator('input[name^="evidence_"]').all()) await evidence.fill('会议记录、照片');
    await form.locator('button[type=submit]').click();
    await page.waitForURL(`${sheet}&done=party-scored`);
  };
  const step = async (page, name) => {
    await page.locator(`form:has(input[name=step][value=${name}]) button[type=submit]`).click();
    await page.waitForURL(`${sheet}&done=party-stepped`);
  };

  const secretary = await signIn('zbsj_hhl1', { width: 390, height: 844 });
  assert.equal(new URL(secretary.url()).pathname, '/party');
  await secretary.goto(sheet);
  await scoreAll(secretary);
  await step(secretary, 'submit');
  assert.match(await secretary.content(), /（已上报）/);
  await secretary.screenshot({ path: path.join(shots, '18-secretary-submitted.png'), fullPage: true });

  const street = await signIn('dgw_hhl');
  await street.goto(sheet);
  await scoreAll(street);
  await step(street, 'approve');

  const district = await signIn('zzb');
  await district.goto(sheet);
  await scoreAll(district);
  await step(district, 'accept');
  const confirmed = await district.content();
  assert.match(confirmed, /（区级已通过）/);
  for (const said of ['上报', '单位审核通过', '区级审核通过']) assert.match(confirmed, new RegExp(said));
  await district.screenshot({ path: path.join(shots, '19-district-confirmed.png'), fullPage: true });

  await leader.goto(`${base}/`);
  assert.match(await leader.content(), /2018年参加星级评定的党组织12个，其中五星级5个/);
  await leader.screenshot({ path: path.join(shots, '20-dashboard-stars.png'), fullPage: true });
});

test('each role downloads the reports it may read from the 报表 page', async () => {
  const cases = [
    // [account, which form, format, the file name it must carry]
    ['district_leader', 'briefing', 'docx', /^二七区重点项目调度通报（2018年1-\d+月）\.docx$/],
    ['district_leader', 'assessment', 'xlsx', /^二七区2018年1-5月重点项目建设综合考核\.xlsx$/],
    ['zjj_reporter', 'ledger', 'xlsx', /^区住房城乡建设局重点项目建设台账（2018年1-\d+月）\.xlsx$/],
    ['zjj_reporter', 'annual', 'docx', /^区住房城乡建设局2017年工作总结\.docx$/],
    ['zzb', 'party', 'docx', /^二七区2018年基层党建标准化工作情况\.docx$/],
  ];
  for (const [account, kind, format, name] of cases) {
    const page = await signIn(account);
    await page.goto(`${base}/reports`);
    const form = page.locator(`form:has(input[name=kind][value=${kind}])`);
    await form.locator('select[name=format]').selectOption(format);
    const [download] = await Promise.all([page.waitForEvent('download'), form.locator('button[type=submit]').click()]);
    assert.match(download.suggestedFilename(), name, `${account} ${kind}`);
    const file = path.join(work, download.suggestedFilename());
    await download.saveAs(file);
    await page.context().close();
  }
  // Read on the page, the briefing is printed without the menu.
  const leader = await signIn('district_leader');
  await leader.goto(`${base}/reports?kind=briefing&period=2018-05`);
  await leader.emulateMedia({ media: 'print' });
  assert.equal(await leader.locator('header').isVisible(), false, 'no menu in print');
  await leader.screenshot({ path: path.join(shots, '12-briefing-print.png'), fullPage: true });
});

// axe-core's rules, run in the page: what it finds serious or critical, as "rule: target".
const axeSource = process.env.AXE_CORE ? readFileSync(process.env.AXE_CORE, 'utf8') : null;
async function accessibilityProblems(page) {
  if (!axeSource) return [];
  await page.addScriptTag({ content: axeSource });
  const violations = await page.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations);
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .flatMap((v) => v.nodes.map((n) => `${v.id}（${v.impact}）: ${n.target.join(' ')} — ${v.help}`));
}

test('every page fits a phone (390×844) and a laptop (1366×768), and axe finds nothing serious', async () => {
  assert.ok(axeSource || !process.env.CI, 'CI runs the accessibility check (AXE_CORE names axe.min.js)');
  const pages = ['/', '/projects', '/projects/ZD2018-001', '/indicators', '/indicators/GDP', '/plan', '/report',
    '/review', '/problems', '/orders', '/meetings', '/reports', '/reports?kind=briefing&period=2018-05', '/annual?year=2017',
    '/admin', '/password', '/cases', '/cases/1', '/party', '/party/orgs/EQ-HHL-S2?year=2018', '/no-such-page'];
  const problems = [];
  for (const [width, height] of [[390, 844], [1366, 768]]) {
    // The sign-in page, before anyone signs in.
    const anonymous = await browser.newContext({ viewport: { width, height }, bypassCSP: true });
    const login = await anonymous.newPage();
    await login.goto(`${base}/login`);
    problems.push(...(await accessibilityProblems(login)).map((p) => `${width}px /login: ${p}`));
    await anonymous.close();
    for (const account of ['district_leader', 'zjj_reporter', 'zjj_leader', 'dcs_reviewer', 'fgw_admin', 'jdy', 'zbz', 'zzb']) {
      // The check's script runs in the page: past our own Content-Security-Policy.
      const context = await browser.newContext({ viewport: { width, height }, bypassCSP: true });
      const page = await context.newPage();
      await page.goto(`${base}/login`);
      await page.fill('#username', account);
      await page.fill('#password', PASSWORD);
      await page.click('button[type=submit]');
      await page.waitForURL((url) => ['/', '/cases', '/party'].includes(url.pathname));
      for (const p of pages) {
        const reply = await page.goto(`${base}${p}`);
        if (reply.status() === 403) continue; // not this role's page
        const [scroll, inner] = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
        assert.ok(scroll <= inner, `${account} ${p} at ${width}px: the page is ${scroll}px wide`);
        problems.push(...(await accessibilityProblems(page)).map((x) => `${account} ${width}px ${p}: ${x}`));
        const name = `${width}-${account}${p.replace(/[^a-z0-9]+/gi, '-')}.png`;
        await page.screenshot({ path: path.join(shots, 'pages', name) });
      }
      if (width === 390 && account === 'district_leader') {
        await page.goto(`${base}/`);
        assert.equal(await page.locator('nav.menu').isVisible(), false, 'the menu folds away on a phone');
        await page.click('label.menu-button');
        assert.equal(await page.locator('nav.menu a[href="/projects"]').isVisible(), true, 'and opens on a tap');
        await page.screenshot({ path: path.join(shots, '13-phone-menu.png'), fullPage: true });
        await page.goto(`${base}/projects`);
        await page.screenshot({ path: path.join(shots, '14-phone-projects.png') });
      }
      await context.close();
    }
  }
  assert.deepEqual(problems, [], `axe-core: ${problems.length} serious or critical`);
});

import { v3GroupId } from './lookups-2-to-3.js';

/**
 * V2 options (sd_options) → V3 settings, where the mapping is obvious (reference §5.2). The official tool carried
 * almost none of them (issue #284); ferry carries these and reports every other one as a loss, by key and why.
 * For every carried key, V2's option_type is V3's setting type (basic, register, mail, login, avatar, share,
 * file_edit), so it is carried as it is.
 */

/** V2 option → V3 setting name (the keys V3 spells alike are listed as themselves). */
export const CARRIED_OPTIONS: Readonly<Record<string, string>> = {
  siteURL: 'siteURL',
  siteName: 'siteName',
  siteTitle: 'siteTitle',
  siteDes: 'siteDes',
  siteKeywords: 'siteKeywords',
  js_code: 'siteScript',
  regStatus: 'register_enabled',
  defaultGroup: 'default_group',
  email_active: 'email_active',
  fromName: 'fromName',
  fromAdress: 'fromAdress',
  smtpHost: 'smtpHost',
  smtpPort: 'smtpPort',
  replyTo: 'replyTo',
  smtpUser: 'smtpUser',
  smtpPass: 'smtpPass',
  encriptionType: 'smtpEncryption',
  login_captcha: 'login_captcha',
  reg_captcha: 'reg_captcha',
  forget_captcha: 'forget_captcha',
  gravatar_server: 'gravatar_server',
  hot_share_num: 'hot_share_num',
  maxEditSize: 'maxEditSize',
};

/** V2 writes switches as '1'/'0' (and sometimes 'true'/'on'); V3 reads '1' as on. */
const onOff = (v: string) => (['1', 'true', 'on', 'yes'].includes(v.trim().toLowerCase()) ? '1' : '0');

/** New values for carried keys, by V2 key. */
export const CHANGED_OPTIONS: Readonly<Record<string, (value: string) => string>> = {
  // V2: '0' = registration open; V3: register_enabled '1' = open.
  regStatus: (v) => (v.trim() === '0' ? '1' : '0'),
  defaultGroup: (v) => (/^\d+$/.test(v.trim()) ? String(v3GroupId(Number(v.trim()))) : v),
  // V2 (PHPMailer): no, ssl (implicit TLS) or tls (STARTTLS). V3's switch is implicit TLS; it upgrades with
  // STARTTLS by itself when the server offers it.
  encriptionType: (v) => (v.trim().toLowerCase() === 'ssl' ? '1' : '0'),
  email_active: onOff,
  login_captcha: onOff,
  reg_captcha: onOff,
  forget_captcha: onOff,
};

/** V2 options V3 has no use for, with why (declared losses, by key). */
export const DROPPED_OPTIONS: Readonly<Record<string, string>> = {
  database_version: "V2's schema version (V3 records its own, db_version_<version>, when it first starts)",
  siteStatus: 'V3 cannot close the site',
  defaultTheme: 'colour scheme: V3 has its own themes',
  themes: 'colour scheme: V3 has its own themes',
  mail_activation_template: "V2's mail templates: V3 uses its own",
  mail_reset_pwd_template: "V2's mail templates: V3 uses its own",
  timeout: 'OSS signing timeout: V3 has its own timeouts',
  allowdVisitorDownload: 'carried as the anonymous group’s "download shared files" option',
  refererCheck: 'V3 has no referer check',
  admin_color_body: "V2's admin panel colours",
  admin_color_nav: "V2's admin panel colours",
  sendfile: 'V3 sends files itself (no X-Sendfile)',
  header: 'V3 sends files itself (no X-Sendfile)',
  aria2_tmppath: "carried into the master node's aria2 options",
  aria2_token: "carried into the master node's aria2 options",
  aria2_rpcurl: "carried into the master node's aria2 options",
  aria2_options: "carried into the master node's aria2 options",
  task_queue_token: "V2's OneDrive task queue: V3 runs its own",
};

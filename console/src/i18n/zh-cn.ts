import type { Messages } from './en';

/** 简体中文。Keys as in en.ts; the type makes a missing or unknown key a typecheck error. */
export const zhCN: Messages = {
  'app.title': '积分商城运营后台',
  'app.loading': '加载中…',
  'app.configFailed': '无法读取后台配置（/console/config.json）。',
  'locale.label': '语言',

  'menu.dashboard': '概览',
  'menu.members': '会员',
  'menu.earningRules': '积分规则',
  'menu.campaigns': '营销活动',
  'menu.pools': '积分池与任务',
  'menu.reports': '报表',
  'menu.approvals': '审批',
  'menu.audit': '操作日志',
  'menu.apiReference': 'API 文档',

  'screen.coming': '此页面即将上线。',
  'screen.notFound': '页面不存在。',
  'screen.forbidden': '您的角色（{role}）无权使用此页面。',
  'screen.backHome': '返回概览',

  'signIn.title': '登录',
  'signIn.localIntro': '本地环境：请选择一位演示操作员，每位操作员只有一个角色。',
  'signIn.as': '以 {name} 登录',
  'signIn.cognitoIntro': '请使用您的操作员账号登录。',
  'signIn.cognitoButton': '前往登录',
  'signIn.failed': '登录失败',
  'signIn.completing': '正在完成登录…',
  'signOut': '退出登录',
  'session.expired': '会话已结束，请重新登录。',

  'role.admin': '管理员',
  'role.marketer': '营销',
  'role.support': '客服',
  'role.analyst': '分析师',
  'role.none': '无操作员角色',

  'list.loadMore': '加载更多',
  'list.shown': '已显示 {count} 条',
  'list.end': '已全部加载。',

  'problem.network': '无法连接 API，请检查网络后重试。',
  'problem.seeFields': '请检查标红的字段。',
  'problem.VALIDATION_FAILED': '部分内容填写有误',
  'problem.UNAUTHORIZED': '请重新登录',
  'problem.FORBIDDEN': '您的角色无权执行此操作',
  'problem.NOT_FOUND': '未找到',
  'problem.CONFLICT': '数据已被他人修改，请刷新后重试',
  'problem.IDEMPOTENCY_KEY_REUSED': '此对话框已提交过不同的请求，请关闭后重新打开',
  'problem.THROTTLED': '请求过于频繁，请稍后重试',
  'problem.UNAVAILABLE': '服务暂不可用，请稍后重试',
  'problem.OUTCOME_UNKNOWN': '无法确认是否已保存，请重试（不会重复生效）',

  'weekday.1': '周一',
  'weekday.2': '周二',
  'weekday.3': '周三',
  'weekday.4': '周四',
  'weekday.5': '周五',
  'weekday.6': '周六',
  'weekday.7': '周日',
};

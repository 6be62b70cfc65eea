"""The audit log's vocabulary: every action it may record, with the label admins read."""

from __future__ import annotations

import getpass

# Add an action here before recording it: `record` refuses unknown ones, so that a typo cannot
# hide an entry from the action filter of GET /audit.
ACTIONS = {
    "staff.create": "创建工作人员账号",
    "staff.disable": "停用工作人员账号",
    "staff.enable": "恢复工作人员账号",
    "elder.create": "登记老人",
    "elder.link": "关联志愿者或家属账号",
    "canteen.create": "登记食堂",
    "canteen.update": "修改食堂信息",
    "inspection.file": "录入检查结果（评定等级）",
    "policy.update": "修改补贴政策",
    "card.topup": "爱心卡充值",
    "subsidy.issue": "发放月度补贴",
    "points.expire": "敬老分到期作废",
    "elder.status": "设置老人状态（去世、迁出，冻结爱心卡）",
    "timebank.decide": "审批时间银行服务记录",
    "order.proxy": "代老人点餐",
    "order.cancel": "取消订单",
}

# The actor of changes no person asked for at that moment: data-file loads, the demo.
SYSTEM_ACTOR = "system"


def cli_actor() -> str:
    """The actor of a change made with the `zhucan` command: the operating-system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry, e.g. an arbitrary uid in a container
        return "cli:unknown"

//! What a form just did, said once on the page it leads to: the redirect carries a code
//! (`/orders?done=order-issued`) and the page a fixed sentence for it, so that a link someone
//! sends cannot make a page say anything else.

use axum::response::{IntoResponse, Redirect, Response};

/// Each code and its sentence.
const SAID: &[(&str, &str)] = &[
    ("order-issued", "已下达督办，责任单位将在“督办”中看到"),
    ("order-answered", "已反馈，等待下达方审核"),
    ("order-closed", "已办结"),
    ("order-reworked", "已退回重办"),
    ("problem-raised", "已登记问题，由责任单位办理"),
    ("problem-resolved", "已办结问题，等待提出人确认"),
    ("problem-confirmed", "已确认"),
    ("approved", "已审核通过，报区级审核"),
    ("accepted", "已区级审核通过，数据已入台账"),
    ("returned", "已退回，填报单位将看到退回原因"),
    ("round-closed", "已关闭填报轮次，全部记录已锁定"),
    ("round-reopened", "已重新开放填报轮次，已锁定的记录退回各单位"),
    ("indicator-saved", "已保存指标"),
    ("account-saved", "已保存账号"),
    ("account-stopped", "已停用账号，其登录已全部退出"),
    ("account-started", "已启用账号"),
    ("password-reset", "已重设口令，该账号的登录已全部退出"),
    ("unlocked", "已解除登录限制"),
    ("audit-verified", "已完成审计链核验，结果见下"),
    ("meeting-recorded", "已登记会议，议定事项已下达督办"),
    ("node-saved", "已保存节点"),
    ("element-saved", "已保存要素保障"),
    ("case-reported", "已上报案件，等待指挥中心立案"),
    ("case-stepped", "已办理"),
    ("party-scored", "已保存得分"),
    ("party-stepped", "已办理，下一环节将看到这份考评"),
    ("party-meeting", "已登记会议"),
    ("party-org-saved", "已保存党组织"),
];

/// The sentence of a code, if it is one.
pub fn said(code: &str) -> Option<&'static str> {
    SAID.iter().find(|(c, _)| *c == code).map(|(_, text)| *text)
}

/// A redirect (303, so that a refresh does not post again) to `path`, saying `code` there.
pub fn done(path: &str, code: &'static str) -> Response {
    debug_assert!(said(code).is_some(), "{code} has no sentence");
    let sep = if path.contains('?') { '&' } else { '?' };
    Redirect::to(&format!("{path}{sep}done={code}")).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_one_sentence_and_others_none() {
        for (code, text) in SAID {
            assert_eq!(said(code), Some(*text));
            assert_eq!(SAID.iter().filter(|(c, _)| c == code).count(), 1, "{code} twice");
        }
        assert_eq!(said("<script>"), None);
    }
}

//! The themes comments are about, and where each belongs: its touchpoint on the journey
//! and the label a helpdesk files it under.

/// What a comment is about. Customer, employee and partner themes share one list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Delivery,
    Quality,
    Staff,
    Price,
    App,
    Support,
    Billing,
    Returns,
    Store,
    Membership,
    Manager,
    Pay,
    Workload,
    Colleagues,
    Career,
    Tools,
    Partnership,
}

/// Themes a customer mentions in passing, for the second half of a comment.
pub const CUSTOMER_THEMES: [Theme; 9] = [
    Theme::Quality,
    Theme::Staff,
    Theme::Price,
    Theme::App,
    Theme::Support,
    Theme::Returns,
    Theme::Store,
    Theme::Membership,
    Theme::Billing,
];
pub const EMPLOYEE_THEMES: [Theme; 6] = [
    Theme::Manager,
    Theme::Pay,
    Theme::Workload,
    Theme::Colleagues,
    Theme::Career,
    Theme::Tools,
];

/// Where in the journey a comment about `theme` belongs.
pub fn theme_touchpoint(theme: Theme) -> &'static str {
    match theme {
        Theme::Delivery => "delivery",
        Theme::App => "app_home",
        Theme::Staff | Theme::Store => "store_visit",
        Theme::Support | Theme::Returns => "support_contact",
        Theme::Membership => "membership_renewal",
        Theme::Billing => "payment",
        _ => "product_page",
    }
}

pub fn theme_label(theme: Theme) -> &'static str {
    match theme {
        Theme::Delivery => "delivery",
        Theme::Quality => "product_quality",
        Theme::Staff => "staff",
        Theme::Price => "price",
        Theme::App => "website_app",
        Theme::Support => "customer_service",
        Theme::Billing => "billing",
        Theme::Returns => "returns",
        Theme::Store => "store",
        Theme::Membership => "membership",
        Theme::Manager => "manager",
        Theme::Pay => "pay",
        Theme::Workload => "workload",
        Theme::Colleagues => "colleagues",
        Theme::Career => "career",
        Theme::Tools => "tools",
        Theme::Partnership => "partnership",
    }
}

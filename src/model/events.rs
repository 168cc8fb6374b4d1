//! Events the model records: contract changes, entries, exits, mergers and policy events.
//! Events hold ids and numbers only; `crate::io` turns them into text.

use super::agents::{CcgId, LineId, SupplierId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// A CSU failed the checkpoints.
    CheckpointFail,
    /// A CCG's CSU line was reassigned by the centre (checkpoint failure).
    Reassign,
    /// Moved from one external provider to another.
    Switch,
    /// Took a line in house.
    Insource,
    /// Joined another CCG's team.
    Share,
    /// Moved a line from in house or shared to an external provider (first time).
    Outsource,
    /// Returned to an external provider after having in-sourced the line.
    Return,
    /// A CCG fell back to its home CSU because its provider or host left.
    Fallback,
    /// Another provider entered the market.
    Entry,
    /// A provider left the market.
    Exit,
    /// A CSU was absorbed by another.
    Merger,
    /// A provider was given no framework slot.
    FrameworkExcluded,
    /// CCGs merged.
    CcgMerger,
    /// A policy event fired (detail names it).
    Policy,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::CheckpointFail => "checkpoint_fail",
            EventKind::Reassign => "reassign",
            EventKind::Switch => "switch",
            EventKind::Insource => "insource",
            EventKind::Share => "share",
            EventKind::Outsource => "outsource",
            EventKind::Return => "return",
            EventKind::Fallback => "fallback",
            EventKind::Entry => "entry",
            EventKind::Exit => "exit",
            EventKind::Merger => "merger",
            EventKind::FrameworkExcluded => "framework_excluded",
            EventKind::CcgMerger => "ccg_merger",
            EventKind::Policy => "policy",
        }
    }
}

/// Which policy fired (for `EventKind::Policy`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyKind {
    Checkpoints,
    AuthorisationEnd,
    MarketOpening,
    Framework,
    Externalisation,
    InsourcingGuidance,
    EfficiencyRequirement,
    Platform,
    CcgMergers,
    AcsShift,
}

impl PolicyKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PolicyKind::Checkpoints => "checkpoints",
            PolicyKind::AuthorisationEnd => "authorisation_end",
            PolicyKind::MarketOpening => "market_opening",
            PolicyKind::Framework => "framework",
            PolicyKind::Externalisation => "externalisation",
            PolicyKind::InsourcingGuidance => "insourcing_guidance",
            PolicyKind::EfficiencyRequirement => "efficiency_requirement",
            PolicyKind::Platform => "platform",
            PolicyKind::CcgMergers => "ccg_mergers",
            PolicyKind::AcsShift => "acs_shift",
        }
    }
}

/// The other party of an event: where a CCG came from, whom a CSU merged into.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    None,
    InHouse,
    Ccg(CcgId),
    Supplier(SupplierId),
    Policy(PolicyKind),
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Event {
    pub step: u32,
    pub kind: EventKind,
    pub ccg: Option<CcgId>,
    pub supplier: Option<SupplierId>,
    pub line: Option<LineId>,
    /// The previous arrangement, the absorbing CSU, the policy...
    pub from: Party,
    /// A number that belongs to the event (a score, a count, a share).
    pub value: f64,
}

//! The agents and their state: service lines, CCGs (buyers) with one contract per line,
//! and external providers (CSUs and other providers).

use crate::config::ProviderKind;

/// Index of a CCG (stable for the whole run; merged CCGs stay in place, inactive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CcgId(pub u32);
/// Index of an external provider: CSUs first, then other providers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SupplierId(pub u16);
/// Index of a service line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LineId(pub u8);

impl CcgId {
    #[inline]
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}
impl SupplierId {
    #[inline]
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}
impl LineId {
    #[inline]
    pub fn ix(self) -> usize {
        self.0 as usize
    }
}

/// GBP (nominal).
pub type Gbp = f64;
/// GBP per head of registered population per year.
pub type PerHead = f64;

/// Who provides a CCG's service line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arrangement {
    /// The CCG's own team.
    InHouse,
    /// Another CCG's in-house team (a shared service).
    Shared(CcgId),
    /// A CSU or another provider under contract.
    External(SupplierId),
}

impl Arrangement {
    pub fn supplier(self) -> Option<SupplierId> {
        match self {
            Arrangement::External(p) => Some(p),
            _ => None,
        }
    }
}

/// A service line's static attributes.
#[derive(Debug, Clone)]
pub struct Line {
    pub name: String,
    /// Scale elasticity `e_l`.
    pub scale: f64,
    /// Local and clinical knowledge need `kappa_l`.
    pub local: f64,
    /// Learning difficulty `delta_l`.
    pub difficulty: f64,
    /// Base unit cost `c_l`.
    pub cost: PerHead,
    pub transactional: bool,
}

/// A change of arrangement decided at a round, taking effect at step `at`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pending {
    pub to: Arrangement,
    pub at: u32,
    pub price: PerHead,
    /// Decided because the CCG had to (provider gone, slot lost), not from choice.
    pub forced: bool,
}

/// One CCG's arrangement for one service line, with the CCG's view of it.
#[derive(Debug, Clone)]
pub struct Contract {
    pub arr: Arrangement,
    /// Price paid (external), team unit cost (in house) or host's fee (shared).
    pub price: PerHead,
    /// Step at which the current term ends (external contracts).
    pub term_end: u32,
    /// Notice period in steps.
    pub notice: u32,
    /// Outcome-based (sliding-scale) payment.
    pub outcome: bool,
    /// Relationship strength `R_il` with the current external provider.
    pub relationship: f64,
    pub pending: Option<Pending>,
    /// The CCG took this line in house at some point (returning costs more).
    pub ever_insourced: bool,
    /// Must search at the next round (provider gone, slot lost, shared team closed).
    pub forced: bool,
    /// In-house capability `h_il`.
    pub h: f64,
    /// In-house cap `cap_il` at the team's population.
    pub cap: f64,
    /// Unit cost of the CCG's own team at its population plus guests (GBP/head/year).
    pub team_cost: PerHead,
    /// Unit cost of a team serving the CCG alone (what making would cost).
    pub solo_cost: PerHead,
    /// In-house learning factor `(1 - delta_l) * (g_i/3)^kappa_l`.
    pub learn_factor: f64,
    /// Guests using this CCG's team on this line (including reserved places).
    pub guests: u32,
    /// Population of guests currently served.
    pub guest_pop: f64,
    /// Realised quality in the last step.
    pub q: f64,
    /// The quality observed of an external provider: `q` without the distance penalty
    /// (set by `deliver`, read by `update_beliefs` for the CCG and its network contact).
    pub observed: f64,
    /// Fee multiplier under outcome-based payment.
    pub fee: f64,
    pub satisfaction: f64,
    pub aspiration: f64,
    /// Buyer and supplier power of the relationship (external only).
    pub bp: f64,
    pub sp: f64,
    /// The CCG's belief mean about provider `belief_of` (its current one), cached from
    /// the last own observation so power does not reach into the belief table.
    pub belief: f64,
    pub belief_of: u16,
    /// Information quality `I_il` assessed at the last round.
    pub info: f64,
    /// Money paid this step for this line (GBP).
    pub paid: Gbp,
}

/// A buyer.
#[derive(Debug, Clone)]
pub struct Ccg {
    pub region: u32,
    pub population: f64,
    pub active: bool,
    pub merged_into: Option<CcgId>,
    /// The CSU whose patch the CCG is in.
    pub home_csu: SupplierId,
    /// GP leadership sessions per week.
    pub sessions: f64,
    /// 0 transactional .. 1 partnership.
    pub orientation: f64,
    pub risk_aversion: f64,
    /// Switching competence `psi_i`.
    pub competence: f64,
    pub multisource: bool,
    pub outcome_payment: bool,
    /// Collective action `C_i`.
    pub collaboration: f64,
    /// Reads and writes the platform's reviews.
    pub on_platform: bool,
    pub neighbours: Vec<CcgId>,
    /// Support spend in the last step, annualised (GBP/year).
    pub spend: Gbp,
    /// Price sensitivity `lambda_i` this step (raised by budget pressure).
    pub lambda: f64,
    /// One-off transition costs paid this step (GBP).
    pub transition: Gbp,
    /// External payments this step (GBP), for the money-conservation check.
    pub paid_external: Gbp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SupplierKind {
    Csu,
    Other(ProviderKind),
}

impl SupplierKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SupplierKind::Csu => "csu",
            SupplierKind::Other(k) => k.as_str(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Other provider not yet in the market.
    NotEntered,
    Active,
    /// Failed the initial checkpoints.
    FailedCheckpoint,
    /// Absorbed by another CSU.
    Merged(SupplierId),
    Exited,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::NotEntered => "not_entered",
            Status::Active => "active",
            Status::FailedCheckpoint => "failed_checkpoint",
            Status::Merged(_) => "merged",
            Status::Exited => "exited",
        }
    }
}

/// An external provider: a CSU or another provider.
#[derive(Debug, Clone)]
pub struct Supplier {
    pub name: String,
    pub kind: SupplierKind,
    /// Home region; `None` for national providers.
    pub region: Option<u32>,
    pub status: Status,
    pub externalised: bool,
    pub private_partner: bool,
    /// Bit `l` set if the provider offers line `l`.
    pub offers: u32,
    /// Bit `l` set if it holds a framework slot for line `l`.
    pub slots: u32,
    /// Serves existing contracts only (off the framework).
    pub wind_down: bool,
    /// Capability `c_pl` per line.
    pub cap: Vec<f64>,
    /// Capacity `K_p` in millions of population-lines.
    pub capacity: f64,
    pub morale: f64,
    pub leadership: f64,
    pub leadership_potential: f64,
    pub focus: f64,
    pub distraction: f64,
    pub sharing: f64,
    pub info_sharing: f64,
    /// Cost efficiency multiplier `eta_p`.
    pub efficiency: f64,
    pub cost_factor: f64,
    /// Volume of other business counting toward scale in cost (persons).
    pub base_volume: f64,
    /// Mark-up at balanced power.
    pub markup0: f64,
    pub reserves: Gbp,
    pub investment_intensity: f64,
    pub entry_step: Option<u32>,
    /// Consecutive steps with no customers.
    pub idle_steps: u32,
    /// Patch weight (CSUs) at the start.
    pub patch_weight: f64,
    // --- per-step aggregates, recomputed in finance
    /// Population served per line (times demand).
    pub vol: Vec<f64>,
    pub customers: Vec<u32>,
    /// Sum of orientation x relationship over customers per line.
    pub partnership: Vec<f64>,
    /// Annual revenue rate of its contracts at current prices (GBP/year).
    pub rate: Gbp,
    /// Revenue, cost, outcome-based revenue and development payments this step (GBP).
    pub revenue: Gbp,
    pub cost: Gbp,
    pub outcome_revenue: Gbp,
    /// What outcome-based contracts would have paid at full fee this step (GBP).
    pub outcome_full: Gbp,
    /// Share of the full fee it expects to keep on outcome-based contracts (smoothed).
    pub outcome_fee: f64,
    pub dev_funds: Gbp,
    /// Revenue of the last `steps_per_year` steps (ring buffer) and its sum.
    pub revenue_ring: Vec<Gbp>,
    pub revenue_year: Gbp,
    /// Mean buyer power and mean power gap (SP - BP) of its relationships.
    pub bp_mean: f64,
    pub gap_mean: f64,
    /// Overload: max(0, load / capacity - 1), refreshed with the volumes.
    pub stretch: f64,
    /// Scale factor on unit cost per line at volume `scale_v` (cached: pow is dear).
    pub scale_f: Vec<f64>,
    pub scale_v: Vec<f64>,
    /// Scale factor for quoting a new customer (volume plus an average CCG).
    pub quote_f: Vec<f64>,
    /// Scale factor of learning per line, refreshed when volumes change and each round.
    pub learn_z: Vec<f64>,
    /// List price per line set at the last round.
    pub list: Vec<PerHead>,
}

impl Supplier {
    #[inline]
    pub fn is_csu(&self) -> bool {
        self.kind == SupplierKind::Csu
    }
    #[inline]
    pub fn active(&self) -> bool {
        self.status == Status::Active
    }
    #[inline]
    pub fn offers(&self, l: usize) -> bool {
        self.offers >> l & 1 == 1
    }
    pub fn total_customers(&self) -> u32 {
        self.customers.iter().sum()
    }
    /// Load in millions of population-lines.
    pub fn load(&self) -> f64 {
        self.vol.iter().sum::<f64>() / 1.0e6
    }
    pub fn mean_capability(&self) -> f64 {
        let (mut s, mut n) = (0.0, 0.0);
        for (l, c) in self.cap.iter().enumerate() {
            if self.offers(l) {
                s += c;
                n += 1.0;
            }
        }
        if n > 0.0 {
            s / n
        } else {
            0.0
        }
    }
}

/// A belief about one provider's (distance-free) quality on one line. Stored in single
/// precision (ample for a 0-1 quality estimate; it keeps the model's largest table
/// small enough for the caches); the arithmetic is done in double precision.
#[derive(Debug, Clone, Copy)]
pub struct Belief {
    pub mean: f32,
    /// Variance at step `t`.
    pub var: f32,
    pub t: u32,
}

impl Belief {
    /// Variance at step `now`: the variance at `t` plus drift (`drift_var` per step)
    /// since then.
    #[inline]
    pub fn var_at(&self, now: u32, drift_var: f64) -> f64 {
        self.var as f64 + drift_var * (now.saturating_sub(self.t)) as f64
    }
}

/// Distance class between a CCG (home CSU `home`, region `region`) and provider `p` of
/// region `p_region`: 0 home CSU, 1 same region, 2 otherwise.
#[inline]
pub fn distance_class(home: usize, region: u32, p: usize, p_region: Option<u32>) -> f64 {
    if home == p {
        0.0
    } else if p_region == Some(region) {
        1.0
    } else {
        2.0
    }
}

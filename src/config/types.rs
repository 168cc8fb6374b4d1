//! The typed, validated configuration the model reads. Field names mirror the registry
//! paths exactly (a test checks both ways); defaults and ranges live in the registry.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub time: TimeCfg,
    pub geography: GeographyCfg,
    pub market: MarketCfg,
    pub service_lines: Vec<LineCfg>,
    pub ccgs: CcgCfg,
    pub satisfaction: SatisfactionCfg,
    pub beliefs: BeliefCfg,
    pub delivery: DeliveryCfg,
    pub sharing: SharingCfg,
    pub inhouse: InhouseCfg,
    pub csus: CsuCfg,
    pub learning: LearningCfg,
    pub scale: ScaleCfg,
    pub providers: Vec<ProviderKindCfg>,
    pub providers_common: ProvidersCommonCfg,
    pub contracts: ContractCfg,
    pub choice: ChoiceCfg,
    pub power: PowerCfg,
    pub policy: PolicyCfg,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct TimeCfg {
    pub start_year: f64,
    pub years: u32,
    pub steps_per_year: u32,
    pub rounds_per_year: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GeographyCfg {
    pub regions: u32,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum Reach {
    Patch,
    Region,
    National,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MarketCfg {
    pub csu_reach: Reach,
    pub price_transparency: f64,
    pub idle_exit_years: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LineCfg {
    pub name: String,
    pub scale_economies: f64,
    pub local_knowledge: f64,
    pub learning_difficulty: f64,
    pub cost_per_head: f64,
    pub transactional: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CcgCfg {
    pub count: u32,
    pub population_total: f64,
    pub population_min: f64,
    pub population_max: f64,
    pub population_sigma: f64,
    pub allowance_per_head: Vec<f64>,
    pub support_budget_share: f64,
    pub clinical_sessions_min: f64,
    pub clinical_sessions_max: f64,
    pub orientation_mean: f64,
    pub orientation_spread: f64,
    pub risk_aversion_mean: f64,
    pub risk_aversion_spread: f64,
    pub switching_competence_initial: f64,
    pub switching_competence_gain: f64,
    pub switching_competence_decay: f64,
    pub network_degree: u32,
    pub multisource_share: f64,
    pub outcome_payment_share: f64,
    pub development_investment: f64,
    pub price_sensitivity: f64,
    pub budget_pressure: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SatisfactionCfg {
    pub memory: f64,
    pub aspiration_initial: f64,
    pub aspiration_spread: f64,
    pub aspiration_adaptation: f64,
    pub social_weight: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BeliefCfg {
    pub prior_mean: f64,
    pub reputation_weight: f64,
    pub prior_sd: f64,
    pub initial_own_sd: f64,
    pub observation_sd: f64,
    pub word_of_mouth_sd: f64,
    pub platform_sd: f64,
    pub drift_sd: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct DeliveryCfg {
    pub noise_sd: f64,
    pub stretch_penalty: f64,
    pub distance_penalty: f64,
    pub relationship_weight: f64,
    pub relationship_build_rate: f64,
    pub customer_focus_weight: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct SharingCfg {
    pub coordination_penalty: f64,
    pub max_guests: u32,
    pub fee_markup: f64,
    pub small_ccg_population: f64,
    pub small_ccg_bonus: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct InhouseCfg {
    pub initial_share: f64,
    pub initial_local_weight: f64,
    pub initial_capability: f64,
    pub residual_capability: f64,
    pub cap_max: f64,
    pub cap_reference_population: f64,
    pub learning_rate: f64,
    pub decay_rate: f64,
    pub floor: f64,
    pub cost_factor: f64,
    pub optimism: f64,
    pub setup_cost: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CsuCfg {
    pub count: u32,
    pub patch_size_spread: f64,
    pub capability_initial: f64,
    pub capability_sd: f64,
    pub leadership_initial: f64,
    pub leadership_potential: f64,
    pub leadership_sd: f64,
    pub leadership_arrival: f64,
    pub morale_initial: f64,
    pub morale_target: f64,
    pub morale_recovery: f64,
    pub customer_focus_initial: f64,
    pub customer_focus_base: f64,
    pub customer_focus_power_weight: f64,
    pub customer_focus_outcome_weight: f64,
    pub customer_focus_rate: f64,
    pub distraction_initial: f64,
    pub distraction_decay: f64,
    pub practice_sharing_initial: f64,
    pub practice_sharing_rate: f64,
    pub info_sharing: f64,
    pub markup_base: f64,
    pub markup_power_weight: f64,
    pub markup_min: f64,
    pub markup_max: f64,
    pub price_dispersion: f64,
    pub reserves_initial: f64,
    pub investment_share: f64,
    pub failure_reserves: f64,
    pub capacity_headroom: f64,
    pub capacity_adjust: f64,
    pub idle_capacity_cost: f64,
    pub merger_capability_loss: f64,
    pub merger_sharing_loss: f64,
    pub merger_distraction: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LearningCfg {
    pub supplier_rate: f64,
    pub investment_effect: f64,
    pub partnership_effect: f64,
    pub private_partnership_effect: f64,
    pub forgetting: f64,
    pub staff_loss_effect: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ScaleCfg {
    pub reference_population: f64,
    pub cost_factor_min: f64,
    pub cost_factor_max: f64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    Private,
    Charity,
    LocalAuthority,
    Trust,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Private => "private",
            ProviderKind::Charity => "charity",
            ProviderKind::LocalAuthority => "local_authority",
            ProviderKind::Trust => "trust",
        }
    }
    /// Prefix of provider names (`PRIV01`, ...).
    pub fn prefix(self) -> &'static str {
        match self {
            ProviderKind::Private => "PRIV",
            ProviderKind::Charity => "CHAR",
            ProviderKind::LocalAuthority => "LA",
            ProviderKind::Trust => "TRUST",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProviderKindCfg {
    pub kind: ProviderKind,
    pub count: u32,
    pub lines: Vec<String>,
    pub lines_min: u32,
    pub lines_max: u32,
    pub capability_mean: f64,
    pub capability_sd: f64,
    pub cost_factor: f64,
    pub scale_population: f64,
    pub regional: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProvidersCommonCfg {
    pub leadership: f64,
    pub morale: f64,
    pub customer_focus: f64,
    pub practice_sharing: f64,
    pub info_sharing: f64,
    pub markup: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ContractCfg {
    pub initial_term_months: f64,
    pub renewal_term_months: f64,
    pub notice_months: f64,
    pub switching_cost: f64,
    pub switching_cost_money: f64,
    pub competence_effect: f64,
    pub return_multiplier: f64,
    pub outcome_target: f64,
    pub outcome_slope: f64,
    pub outcome_max_reduction: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ChoiceCfg {
    pub temperature: f64,
    pub review_probability: f64,
    pub risk_weight: f64,
    pub stay_bias: f64,
    pub partnership_weight: f64,
    pub changes_per_round: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PowerCfg {
    pub alternatives_half: f64,
    pub share_half: f64,
    pub threshold: f64,
    pub weight_alternatives: f64,
    pub weight_switching: f64,
    pub weight_share: f64,
    pub weight_information: f64,
    pub weight_collective: f64,
    pub weight_inhouse: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PolicyCfg {
    pub checkpoints: CheckpointCfg,
    pub authorisation_end: YearOnly,
    pub market_opening: MarketOpeningCfg,
    pub framework: FrameworkCfg,
    pub externalisation: ExternalisationCfg,
    pub insourcing_guidance: GuidanceCfg,
    pub efficiency_requirement: EfficiencyCfg,
    pub platform: PlatformCfg,
    pub ccg_mergers: Vec<MergerWaveCfg>,
    pub acs_shift: AcsCfg,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct YearOnly {
    pub year: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct CheckpointCfg {
    pub year: Option<f64>,
    pub threshold: f64,
    pub noise_sd: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MarketOpeningCfg {
    pub year: Option<f64>,
    pub entry_spread_years: f64,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum OffFramework {
    Merge,
    Exit,
    WindDown,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FrameworkCfg {
    pub year: Option<f64>,
    pub slots_per_line: u32,
    pub off_framework: OffFramework,
    pub distraction: f64,
    pub score_noise_sd: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ExternalisationCfg {
    pub year: Option<f64>,
    pub staff_loss: f64,
    pub new_leadership: f64,
    pub private_partnership_share: f64,
    pub info_sharing_after: f64,
    pub reach: Reach,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GuidanceCfg {
    pub year: Option<f64>,
    pub hurdle: f64,
    pub cost_per_head: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct EfficiencyCfg {
    pub year: Option<f64>,
    pub rate: f64,
    pub leadership_for_full: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct PlatformCfg {
    pub year: Option<f64>,
    pub participation: f64,
    pub transparency: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct MergerWaveCfg {
    pub year: f64,
    pub share: f64,
    pub group_size: u32,
    pub collaboration: f64,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AcsCfg {
    pub year: Option<f64>,
    pub demand_reduction: f64,
    pub ramp_years: f64,
}

impl Config {
    /// Length of a step in years.
    pub fn dt(&self) -> f64 {
        1.0 / self.time.steps_per_year as f64
    }
    /// Number of steps in the horizon.
    pub fn steps(&self) -> u32 {
        self.time.years * self.time.steps_per_year
    }
    /// Calendar year at the end of step `k`.
    pub fn year_at(&self, step: u32) -> f64 {
        self.time.start_year + step as f64 / self.time.steps_per_year as f64
    }
    /// Steps without customers after which a provider leaves.
    pub fn market_idle_exit_steps(&self) -> u32 {
        (self.market.idle_exit_years * self.time.steps_per_year as f64).round() as u32
    }
    /// Months to steps, rounded to the nearest step.
    pub fn months_to_steps(&self, months: f64) -> u32 {
        (months / 12.0 * self.time.steps_per_year as f64).round().max(0.0) as u32
    }
}

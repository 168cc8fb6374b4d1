//! The parameter registry: every model parameter's path, default, allowed range, unit,
//! description and rationale, in one place. Validation, `csmarket params`, the baseline
//! scenario and the parameter table in `docs/ODD.md` are all generated from it.

use serde_json::{json, Map, Value};
use std::sync::LazyLock;

/// What kind of JSON value a parameter takes.
#[derive(Debug, Clone, PartialEq)]
pub enum Kind {
    /// A finite number in `[min, max]`.
    Float,
    /// A whole number in `[min, max]`.
    Int,
    Bool,
    /// One of a fixed set of strings.
    Choice(&'static [&'static str]),
    /// A snake_case identifier (service line names).
    Name,
    /// A calendar year, or `null` for "never".
    OptionalYear,
    /// A list of numbers, each in `[min, max]`; length in `[min_len, max_len]`.
    FloatList { min_len: usize, max_len: usize },
    /// A list of service-line names (may be empty).
    NameList,
    /// A list of objects whose fields are registered under `path[].field`;
    /// length in `[min, max]`.
    Objects,
}

/// One registered parameter.
#[derive(Debug, Clone)]
pub struct Param {
    /// Dotted JSON path; fields of list items are written `list[].field`.
    pub path: &'static str,
    pub kind: Kind,
    /// Default value; `None` for fields of list items (the list's default holds them).
    pub default: Option<Value>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub unit: &'static str,
    pub description: &'static str,
    /// Where the default comes from (the brief, a seed, or a modelling rationale).
    pub source: &'static str,
}

impl Param {
    /// The allowed range in words, for error messages and tables.
    pub fn allowed(&self) -> String {
        match &self.kind {
            Kind::Float => format!("a number from {} to {}", fmt_num(self.min), fmt_num(self.max)),
            Kind::Int => format!("a whole number from {} to {}", fmt_num(self.min), fmt_num(self.max)),
            Kind::Bool => "true or false".into(),
            Kind::Choice(c) => format!("one of {}", c.iter().map(|s| format!("\"{s}\"")).collect::<Vec<_>>().join(", ")),
            Kind::Name => "a snake_case name (a-z, 0-9, _)".into(),
            Kind::OptionalYear => format!("a year from {} to {}, or null (never)", fmt_num(self.min), fmt_num(self.max)),
            Kind::FloatList { min_len, max_len } => format!(
                "a list of {min_len} to {max_len} numbers, each from {} to {}",
                fmt_num(self.min),
                fmt_num(self.max)
            ),
            Kind::NameList => "a list of service-line names (empty means any line)".into(),
            Kind::Objects => format!("a list of {} to {} objects", fmt_num(self.min), fmt_num(self.max)),
        }
    }
}

fn fmt_num(x: Option<f64>) -> String {
    match x {
        Some(v) => format!("{v}"),
        None => "-".into(),
    }
}

struct B(Vec<Param>);

// one argument per column of the registry table
#[allow(clippy::too_many_arguments)]
impl B {
    #[allow(clippy::too_many_arguments)]
    fn num(&mut self, kind: Kind, path: &'static str, default: Option<Value>, min: f64, max: f64, unit: &'static str, description: &'static str, source: &'static str) {
        self.0.push(Param { path, kind, default, min: Some(min), max: Some(max), unit, description, source });
    }
    fn f(&mut self, path: &'static str, default: f64, min: f64, max: f64, unit: &'static str, description: &'static str, source: &'static str) {
        self.num(Kind::Float, path, Some(json!(default)), min, max, unit, description, source);
    }
    fn i(&mut self, path: &'static str, default: i64, min: f64, max: f64, unit: &'static str, description: &'static str, source: &'static str) {
        self.num(Kind::Int, path, Some(json!(default)), min, max, unit, description, source);
    }
    fn year(&mut self, path: &'static str, default: Option<f64>, description: &'static str, source: &'static str) {
        self.num(Kind::OptionalYear, path, Some(json!(default)), 1990.0, 2100.0, "year", description, source);
    }
    /// A field of list items: no default of its own.
    fn item(&mut self, kind: Kind, path: &'static str, min: f64, max: f64, unit: &'static str, description: &'static str) {
        self.0.push(Param { path, kind, default: None, min: Some(min), max: Some(max), unit, description, source: "per item" });
    }
    fn other(&mut self, kind: Kind, path: &'static str, default: Option<Value>, unit: &'static str, description: &'static str, source: &'static str) {
        self.0.push(Param { path, kind, default, min: None, max: None, unit, description, source });
    }
}

/// Names of the default service lines, in order.
pub const DEFAULT_LINES: [&str; 8] = [
    "business_intelligence",
    "it",
    "finance",
    "hr_od",
    "contracting",
    "procurement",
    "medicines_management",
    "communications_engagement",
];

fn default_service_lines() -> Value {
    // name, scale economies, local knowledge, learning difficulty, cost per head, transactional
    let rows: [(&str, f64, f64, f64, f64, bool); 8] = [
        ("business_intelligence", 0.20, 0.30, 0.70, 2.5, false),
        ("it", 0.25, 0.10, 0.50, 2.5, false),
        ("finance", 0.20, 0.15, 0.30, 2.0, true),
        ("hr_od", 0.10, 0.40, 0.40, 1.2, false),
        ("contracting", 0.15, 0.50, 0.60, 2.2, true),
        ("procurement", 0.15, 0.30, 0.50, 1.0, true),
        ("medicines_management", 0.05, 0.80, 0.60, 1.5, false),
        ("communications_engagement", 0.02, 0.90, 0.30, 1.1, false),
    ];
    Value::Array(
        rows.iter()
            .map(|(n, e, k, d, c, t)| {
                json!({"name": n, "scale_economies": e, "local_knowledge": k,
                       "learning_difficulty": d, "cost_per_head": c, "transactional": t})
            })
            .collect(),
    )
}

fn default_providers() -> Value {
    json!([
        {"kind": "private", "count": 6, "lines": [], "lines_min": 1, "lines_max": 3,
         "capability_mean": 0.5, "capability_sd": 0.1, "cost_factor": 0.95, "scale_population": 5.0e6, "regional": false},
        {"kind": "charity", "count": 2, "lines": ["business_intelligence", "communications_engagement"],
         "lines_min": 1, "lines_max": 2, "capability_mean": 0.5, "capability_sd": 0.1,
         "cost_factor": 0.9, "scale_population": 2.0e6, "regional": false},
        {"kind": "local_authority", "count": 4, "lines": ["hr_od", "procurement", "finance", "communications_engagement"],
         "lines_min": 1, "lines_max": 3, "capability_mean": 0.45, "capability_sd": 0.1,
         "cost_factor": 0.9, "scale_population": 1.0e6, "regional": true},
        {"kind": "trust", "count": 4, "lines": ["it", "hr_od", "finance", "business_intelligence"],
         "lines_min": 1, "lines_max": 3, "capability_mean": 0.5, "capability_sd": 0.1,
         "cost_factor": 1.0, "scale_population": 1.0e6, "regional": true}
    ])
}

pub const PROVIDER_KINDS: &[&str] = &["private", "charity", "local_authority", "trust"];
pub const REACH: &[&str] = &["patch", "region", "national"];
pub const OFF_FRAMEWORK: &[&str] = &["merge", "exit", "wind_down"];

const PUB2013: &str = "published figures for 2013";

fn build() -> Vec<Param> {
    let mut b = B(Vec::new());
    // --- time
    b.f("time.start_year", 2013.0, 1990.0, 2100.0, "year", "Calendar year at step 0", "CCGs and CSUs went live in April 2013 (brief)");
    b.i("time.years", 10, 1.0, 50.0, "years", "Simulated horizon", "brief: horizons of 5-15 years; 10 is the issue's default");
    b.i("time.steps_per_year", 4, 1.0, 12.0, "steps/year", "Steps per year (4 = quarterly)", "brief: a quarter by default");
    b.i("time.rounds_per_year", 1, 1.0, 12.0, "rounds/year", "Contracting rounds per year; must divide steps_per_year", "brief: yearly contracting round; SLAs were annual");
    // --- geography
    b.i("geography.regions", 4, 1.0, 50.0, "regions", "Regions (network and reach clusters); CSUs and CCGs are spread over them", "NHS England's four regions in 2013");
    b.other(Kind::Choice(REACH), "market.csu_reach", Some(json!("region")), "-", "Which CCGs a CSU may serve: its own patch, its region, or the whole country", "brief: CSUs defined by geography; seeds: some CCGs already changed CSU, 'determined by geography'");
    b.f("market.price_transparency", 0.0, 0.0, 1.0, "0-1", "How far prices are published and comparable before any platform (0 opaque: each CCG pays what its power allows)", "seeds: costs are not transparent; two CCGs pay different prices for the same service");
    b.f("market.idle_exit_years", 2.0, 0.25, 20.0, "years", "A provider with no customers for this long leaves the market", "modelling choice");
    // --- service lines
    b.0.push(Param { path: "service_lines", kind: Kind::Objects, default: Some(default_service_lines()), min: Some(1.0), max: Some(20.0), unit: "-", description: "Service lines bought by CCGs", source: "brief: about 8 lines; seeds: information, IT, BI, finance and contracting gain most from scale" });
    b.item(Kind::Name, "service_lines[].name", 0.0, 0.0, "-", "Identifier of the line");
    b.item(Kind::Float, "service_lines[].scale_economies", 0.0, 1.0, "elasticity", "Scale elasticity: unit cost ~ volume^-e, learning ~ volume^e, in-house cap ~ population^e");
    b.item(Kind::Float, "service_lines[].local_knowledge", 0.0, 1.0, "0-1", "Need for local and clinical knowledge (penalises distant providers)");
    b.item(Kind::Float, "service_lines[].learning_difficulty", 0.0, 0.95, "0-1", "How hard capability is to build (slows all learning)");
    b.item(Kind::Float, "service_lines[].cost_per_head", 0.01, 100.0, "GBP/head/year", "Unit cost at the reference scale");
    b.item(Kind::Bool, "service_lines[].transactional", 0.0, 0.0, "-", "Transactional line: demand shifts to accountable care systems");
    // --- CCGs
    b.i("ccgs.count", 230, 1.0, 20000.0, "CCGs", "Number of CCGs at the start", "brief: 220-240 CCGs (211 in April 2013)");
    b.f("ccgs.population_total", 54.0e6, 1.0e4, 1.0e9, "persons", "Registered population of all CCGs", "England about 54 million (published figures for 2013)");
    b.f("ccgs.population_min", 60000.0, 1000.0, 1.0e7, "persons", "Smallest CCG population", "brief: populations from about 60k");
    b.f("ccgs.population_max", 900000.0, 1000.0, 1.0e8, "persons", "Largest CCG population", "brief: populations up to about 900k");
    b.f("ccgs.population_sigma", 0.55, 0.0, 3.0, "log-sd", "Spread of the log-normal population distribution (skew)", "gives a median near 200k and a long right tail, as in 2013");
    b.num(Kind::FloatList { min_len: 1, max_len: 60 }, "ccgs.allowance_per_head", Some(json!([25.0, 24.7, 22.1])), 0.0, 1000.0, "GBP/head/year", "Running-cost allowance by year from the start; the last value holds", PUB2013);
    b.f("ccgs.support_budget_share", 0.6, 0.01, 1.0, "fraction", "Share of the allowance a CCG can spend on commissioning support (external and in house)", "GBP 9/head external plus a larger in-house spend inside a GBP 25 allowance");
    b.f("ccgs.clinical_sessions_min", 2.0, 0.0, 10.0, "sessions/week", "Least GP leadership time", "seeds: GPs give two or three sessions a week");
    b.f("ccgs.clinical_sessions_max", 3.0, 0.0, 10.0, "sessions/week", "Most GP leadership time", "seeds: GPs give two or three sessions a week");
    b.f("ccgs.orientation_mean", 0.5, 0.0, 1.0, "0-1", "Mean orientation (0 transactional, 1 partnership)", "seeds describe both camps; neutral default");
    b.f("ccgs.orientation_spread", 0.3, 0.0, 1.0, "0-1", "Half-width of the uniform spread of orientation", "modelling choice: wide heterogeneity");
    b.f("ccgs.risk_aversion_mean", 0.5, 0.0, 1.0, "0-1", "Mean risk aversion (penalty on uncertain options)", "neutral default");
    b.f("ccgs.risk_aversion_spread", 0.3, 0.0, 1.0, "0-1", "Half-width of the uniform spread of risk aversion", "modelling choice");
    b.f("ccgs.switching_competence_initial", 0.1, 0.0, 1.0, "0-1", "Switching competence at the start", "seeds: CCGs must develop competence in switching; new organisations start low");
    b.f("ccgs.switching_competence_gain", 0.2, 0.0, 1.0, "per change", "Competence gained per change of arrangement (toward 1)", "learning by doing");
    b.f("ccgs.switching_competence_decay", 0.1, 0.0, 5.0, "per year", "Rate at which unused competence fades", "modelling choice");
    b.i("ccgs.network_degree", 6, 0.0, 50.0, "ties", "Target number of network ties per CCG, within its region", "seeds: CCGs had no mechanism to compare notes beyond local ties; bounded degree keeps cost linear");
    b.f("ccgs.multisource_share", 0.1, 0.0, 1.0, "fraction", "Share of CCGs that keep at least one line with a provider other than their main one", "seeds: 'identify at least one service you will procure from a different provider'");
    b.f("ccgs.outcome_payment_share", 0.0, 0.0, 1.0, "fraction", "Share of CCGs that put new contracts on outcome-based (sliding-scale) payment", "seeds: get CSS 'skin in the game'; not the 2013 norm");
    b.f("ccgs.development_investment", 0.0, 0.0, 10.0, "GBP/head/year", "Payment partnership-oriented CCGs make toward their CSU's development (scaled by orientation)", "seeds: CCGs' position, invest in the CSU's development; off in 2013");
    b.f("ccgs.price_sensitivity", 0.3, 0.0, 5.0, "quality per unit price ratio", "Weight of price (relative to the line's base cost) against quality", "modelling choice: quality dominates but price matters");
    b.f("ccgs.budget_pressure", 1.0, 0.0, 20.0, "multiplier", "Extra price sensitivity per unit of budget overrun (fractional)", "running-cost cuts 2013-2016 (published figures)");
    // --- satisfaction and aspirations
    b.f("satisfaction.memory", 0.3, 0.01, 1.0, "per step", "Weight of the latest value in satisfaction (exponential smoothing)", "a year's experience dominates after about 4 quarters");
    b.f("satisfaction.aspiration_initial", 0.4, 0.0, 1.0, "quality", "Aspiration level at the start", "calibrated so most CCGs start dissatisfied (2012 polls: about 80%)");
    b.f("satisfaction.aspiration_spread", 0.15, 0.0, 1.0, "quality", "Half-width of the uniform spread of initial aspirations across CCGs", "CCGs differ in expectations");
    b.f("satisfaction.aspiration_adaptation", 0.3, 0.0, 1.0, "per round", "Speed at which aspirations move toward experience", "satisficing models; moderate adaptation");
    b.f("satisfaction.social_weight", 0.5, 0.0, 1.0, "0-1", "Weight of the best-served network contact's satisfaction in the aspiration target", "social comparison (Cyert and March); seeds: learning from others");
    // --- beliefs
    b.f("beliefs.prior_mean", 0.45, 0.0, 1.0, "quality", "Belief about a provider a CCG knows nothing of", "a little above the weak CSU start: providers market themselves");
    b.f("beliefs.reputation_weight", 0.3, 0.0, 1.0, "0-1", "Weight of a provider's true capability (its reputation, references, bids) in a CCG's prior about it", "seeds: opaque market, but providers market themselves and tenders reveal something");
    b.f("beliefs.prior_sd", 0.2, 0.001, 1.0, "quality", "Uncertainty of that belief", "wide: opaque market");
    b.f("beliefs.initial_own_sd", 0.1, 0.001, 1.0, "quality", "Uncertainty about the CCG's own CSU at the start", "CCGs know their PCT's successor");
    b.f("beliefs.observation_sd", 0.12, 0.001, 1.0, "quality", "Noise of a CCG's own observation of quality", "modelling choice, above delivery noise");
    b.f("beliefs.word_of_mouth_sd", 0.2, 0.001, 1.0, "quality", "Noise of a report from a network contact", "second-hand information is noisier");
    b.f("beliefs.platform_sd", 0.1, 0.001, 1.0, "quality", "Noise of the platform's pooled review (per report)", "structured reviews");
    b.f("beliefs.drift_sd", 0.02, 0.0, 0.5, "quality per step^0.5", "Growth of uncertainty per step without news", "beliefs go stale");
    // --- delivery
    b.f("delivery.noise_sd", 0.08, 0.0, 0.5, "quality", "Standard deviation of realised quality around its expectation", "modelling choice");
    b.f("delivery.stretch_penalty", 0.5, 0.0, 5.0, "per unit overload", "Quality lost per unit of load above capacity", "brief: quality depends on how stretched the provider is");
    b.f("delivery.distance_penalty", 0.1, 0.0, 1.0, "quality per distance class", "Quality lost per distance class (patch 0, region 1, other 2), times the line's local knowledge", "brief: some lines need local and clinical knowledge");
    b.f("delivery.relationship_weight", 0.15, 0.0, 1.0, "quality", "Quality gained from a full partnership relationship with a customer-focused provider", "brief: partnership raises realised quality");
    b.f("delivery.relationship_build_rate", 0.6, 0.0, 5.0, "per year", "Speed at which a relationship grows toward the CCG's orientation (times clinical time / 3 sessions)", "seeds: partnerships take time and clinical leadership");
    b.f("delivery.customer_focus_weight", 0.1, 0.0, 1.0, "quality", "Quality gained per unit of provider customer focus (centred on 0.5)", "seeds: little customer focus at the start");
    // --- shared services
    b.f("sharing.coordination_penalty", 0.03, 0.0, 1.0, "quality", "Quality lost by a guest CCG using another CCG's team", "coordination cost of hosting");
    b.i("sharing.max_guests", 3, 0.0, 50.0, "CCGs", "Most guest CCGs one host serves on a line", "seeds: a larger CCG hosting for smaller neighbours");
    b.f("sharing.fee_markup", 0.0, 0.0, 1.0, "fraction", "Host's mark-up on cost when charging guests", "NHS cost recovery");
    b.f("sharing.small_ccg_population", 200000.0, 0.0, 1.0e8, "persons", "CCGs below this population favour sharing", "seeds: small CCGs should collaborate with larger ones");
    b.f("sharing.small_ccg_bonus", 0.05, 0.0, 1.0, "quality", "Preference of a small CCG for sharing", "seeds");
    // --- in-house
    b.f("inhouse.initial_share", 0.3, 0.0, 1.0, "fraction", "Base probability that a line starts in house", "brief: in-house support spend larger than GBP 9/head external; CCGs kept staff");
    b.f("inhouse.initial_local_weight", 0.5, 0.0, 2.0, "per unit local knowledge", "Extra probability of starting in house per unit of local knowledge above the mean", "local lines stayed with CCGs");
    b.f("inhouse.initial_capability", 0.55, 0.0, 1.0, "quality", "In-house capability at the start (capped by scale)", "brief: CCGs kept the best PCT staff");
    b.f("inhouse.residual_capability", 0.5, 0.0, 1.0, "fraction", "Share of the initial capability a CCG keeps on lines it outsources at the start", "some knowledge stays in the CCG");
    b.f("inhouse.cap_max", 0.75, 0.0, 1.0, "quality", "Highest in-house capability, reached at the reference population", "seeds: in-sourcing caps CCGs at their own small scale, below a developed supplier");
    b.f("inhouse.cap_reference_population", 1.0e6, 1.0e4, 1.0e9, "persons", "Population at which the in-house cap reaches its maximum", "modelling choice: above the largest CCG");
    b.f("inhouse.learning_rate", 0.2, 0.0, 5.0, "per year", "Speed of in-house learning toward the cap", "brief: in-house capability grows slowly");
    b.f("inhouse.decay_rate", 0.4, 0.0, 5.0, "per year", "Speed of loss of in-house capability on outsourced lines", "seeds: once it's gone, it's gone");
    b.f("inhouse.floor", 0.1, 0.0, 1.0, "quality", "Residual in-house capability that never decays", "modelling choice");
    b.f("inhouse.cost_factor", 1.0, 0.1, 10.0, "multiplier", "In-house unit cost relative to a provider's at the same scale", "no management charge, no shared systems: neutral");
    b.f("inhouse.optimism", 0.5, 0.0, 1.0, "fraction", "Share of the gap to its cap a CCG believes in-sourcing will close", "seeds: CCGs believe they could do a much better job in house");
    b.f("inhouse.setup_cost", 0.08, 0.0, 1.0, "quality", "Utility cost of standing up an in-house team", "recruitment and set-up");
    // --- CSUs
    b.i("csus.count", 25, 1.0, 1000.0, "CSUs", "CSU candidates before the checkpoints", "brief: 20-30 CSUs; about 23 passed the 2012 checkpoints");
    b.f("csus.patch_size_spread", 0.5, 0.0, 0.95, "fraction", "Half-width of the spread of CSU patch weights", "CSUs differed in size");
    b.f("csus.capability_initial", 0.35, 0.0, 1.0, "quality", "Mean CSU capability at the start", "brief: reluctant inherited staff, low-performing departments left to CSUs");
    b.f("csus.capability_sd", 0.08, 0.0, 0.5, "quality", "Spread of initial CSU capability (per CSU and line)", "modelling choice");
    b.f("csus.leadership_initial", 0.3, 0.0, 1.0, "0-1", "Leadership at the start", "seeds: leaders not yet in post");
    b.f("csus.leadership_potential", 0.6, 0.0, 1.0, "0-1", "Mean leadership once leaders are in post", "modelling choice");
    b.f("csus.leadership_sd", 0.15, 0.0, 0.5, "0-1", "Spread of leadership potential", "seeds: leaders from mixed backgrounds");
    b.f("csus.leadership_arrival", 0.6, 0.0, 10.0, "per year", "Speed at which leadership approaches its potential", "leaders appointed through 2012-13");
    b.f("csus.morale_initial", 0.4, 0.0, 1.0, "0-1", "Staff morale at the start", "seeds: staff assigned to CSS do not want to be there");
    b.f("csus.morale_target", 0.8, 0.0, 1.0, "0-1", "Morale reached under full leadership and stability", "modelling choice");
    b.f("csus.morale_recovery", 0.3, 0.0, 10.0, "per year", "Speed of morale recovery", "modelling choice");
    b.f("csus.customer_focus_initial", 0.25, 0.0, 1.0, "0-1", "Customer focus at the start", "seeds: PCT staff do not know how to provide a service");
    b.f("csus.customer_focus_base", 0.3, 0.0, 1.0, "0-1", "Customer focus a CSU tends to with no pressure", "modelling choice");
    b.f("csus.customer_focus_power_weight", 0.6, 0.0, 2.0, "per unit buyer power", "Rise in target customer focus per unit of its customers' buyer power", "seeds: lack of competition makes customer focus less important");
    b.f("csus.customer_focus_outcome_weight", 0.5, 0.0, 2.0, "per unit revenue share", "Rise in target customer focus per unit share of revenue on outcome-based terms", "seeds: skin in the game");
    b.f("csus.customer_focus_rate", 0.5, 0.0, 10.0, "per year", "Speed of adjustment of customer focus", "modelling choice");
    b.f("csus.distraction_initial", 0.3, 0.0, 1.0, "0-1", "Inward focus at the start (checkpoints, own survival)", "seeds: 'their world is checkpoints and recruitment'");
    b.f("csus.distraction_decay", 0.7, 0.0, 10.0, "per year", "Speed at which distraction fades", "modelling choice");
    b.f("csus.practice_sharing_initial", 0.2, 0.0, 1.0, "0-1", "Sharing of good practice across sites at the start", "seeds: CSS do not know how to share; geographic tribalism");
    b.f("csus.practice_sharing_rate", 0.3, 0.0, 10.0, "per year", "Speed at which leadership builds practice sharing", "modelling choice");
    b.f("csus.info_sharing", 0.8, 0.0, 1.0, "0-1", "Information sharing among CSUs (hosted by one centre)", "seeds: CSSs hosted by the NHSCB can share information");
    b.f("csus.markup_base", 0.05, -0.5, 2.0, "fraction of cost", "Mark-up at balanced power", "the centre expected a surplus of about 5% of income (published figures)");
    b.f("csus.markup_power_weight", 0.5, 0.0, 5.0, "per unit power gap", "Extra mark-up per unit of supplier power minus buyer power", "Cox: power sets the division of value");
    b.f("csus.markup_min", -0.1, -1.0, 2.0, "fraction of cost", "Lowest mark-up", "modelling choice");
    b.f("csus.markup_max", 0.6, -1.0, 5.0, "fraction of cost", "Highest mark-up", "modelling choice");
    b.f("csus.price_dispersion", 0.15, 0.0, 1.0, "fraction", "Spread of CCG-specific price factors when prices are opaque", "seeds: two CCGs paying a totally different price for the same service");
    b.f("csus.reserves_initial", 0.05, -1.0, 5.0, "fraction of annual revenue", "Reserves at the start", "modelling choice");
    b.f("csus.investment_share", 0.5, 0.0, 1.0, "fraction", "Share of a positive surplus invested in capability", "modelling choice");
    b.f("csus.failure_reserves", -0.2, -5.0, 0.0, "fraction of annual revenue", "Reserves below which a CSU fails and is absorbed", "modelling choice");
    b.f("csus.capacity_headroom", 1.1, 0.5, 3.0, "ratio", "Capacity a CSU aims to hold relative to its load", "modelling choice");
    b.f("csus.capacity_adjust", 1.0, 0.0, 20.0, "per year", "Speed of hiring toward target capacity", "recruitment takes months");
    b.f("csus.idle_capacity_cost", 0.5, 0.0, 2.0, "fraction of unit cost", "Cost of unused capacity", "modelling choice");
    b.f("csus.merger_capability_loss", 0.05, 0.0, 1.0, "fraction", "Capability lost by the absorbed CSU's lines in a merger", "seeds: mergers distract from operational improvement");
    b.f("csus.merger_sharing_loss", 0.2, 0.0, 1.0, "0-1", "Fall in practice sharing of the absorbing CSU (more sites)", "seeds: tribalism across sites");
    b.f("csus.merger_distraction", 0.3, 0.0, 1.0, "0-1", "Distraction added to the absorbing CSU", "seeds: mergers distract CSUs");
    // --- learning and scale
    b.f("learning.supplier_rate", 0.5, 0.0, 10.0, "per year", "Base speed of supplier learning (times leadership, morale, scale, (1 - difficulty))", "calibrated: CSUs weak at the start and improving");
    b.f("learning.investment_effect", 2.0, 0.0, 50.0, "per unit intensity", "Learning boost per unit of investment intensity (investment / revenue)", "brief: capability grows with investment");
    b.f("learning.partnership_effect", 0.5, 0.0, 5.0, "per unit", "Learning boost from partnership relationships with customers", "seeds: partnership and CCG investment develop the CSU");
    b.f("learning.private_partnership_effect", 0.3, 0.0, 5.0, "per unit", "Learning boost of a CSU in a private partnership", "seeds: partner with a company experienced at scale");
    b.f("learning.forgetting", 0.1, 0.0, 5.0, "per year", "Capability loss on a line with no customers", "modelling choice");
    b.f("learning.staff_loss_effect", 0.5, 0.0, 1.0, "per unit staff loss", "Capability lost per unit share of staff lost", "seeds: staff with whom we develop relationships will leave");
    b.f("scale.reference_population", 2.5e6, 1.0e4, 1.0e9, "persons", "Volume at which a line costs its base cost and learns at base speed", "about one CSU's initial volume on a line");
    b.f("scale.cost_factor_min", 0.5, 0.01, 1.0, "multiplier", "Lowest scale factor on unit cost", "modelling choice");
    b.f("scale.cost_factor_max", 3.0, 1.0, 100.0, "multiplier", "Highest scale factor on unit cost", "modelling choice");
    // --- other providers
    b.0.push(Param { path: "providers", kind: Kind::Objects, default: Some(default_providers()), min: Some(0.0), max: Some(20.0), unit: "-", description: "Kinds of other providers that enter when the market opens", source: "brief and seeds: private firms, charities, local authorities, large trusts" });
    b.item(Kind::Choice(PROVIDER_KINDS), "providers[].kind", 0.0, 0.0, "-", "Kind of provider");
    b.item(Kind::Int, "providers[].count", 0.0, 1000.0, "providers", "How many of this kind");
    b.0.push(Param { path: "providers[].lines", kind: Kind::NameList, default: None, min: None, max: None, unit: "-", description: "Lines this kind may offer (empty: any)", source: "per item" });
    b.item(Kind::Int, "providers[].lines_min", 1.0, 20.0, "lines", "Fewest lines one provider offers");
    b.item(Kind::Int, "providers[].lines_max", 1.0, 20.0, "lines", "Most lines one provider offers");
    b.item(Kind::Float, "providers[].capability_mean", 0.0, 1.0, "quality", "Mean capability on offered lines");
    b.item(Kind::Float, "providers[].capability_sd", 0.0, 0.5, "quality", "Spread of capability");
    b.item(Kind::Float, "providers[].cost_factor", 0.1, 10.0, "multiplier", "Unit cost relative to a CSU at the same scale");
    b.item(Kind::Float, "providers[].scale_population", 0.0, 1.0e9, "persons", "Volume of the provider's other business, which counts toward its scale economies in cost");
    b.item(Kind::Bool, "providers[].regional", 0.0, 0.0, "-", "Serves its home region only (else national)");
    b.f("providers_common.leadership", 0.7, 0.0, 1.0, "0-1", "Leadership of other providers", "established organisations");
    b.f("providers_common.morale", 0.7, 0.0, 1.0, "0-1", "Morale of other providers", "established organisations");
    b.f("providers_common.customer_focus", 0.6, 0.0, 1.0, "0-1", "Customer focus of other providers", "seeds: customer-facing firms");
    b.f("providers_common.practice_sharing", 0.7, 0.0, 1.0, "0-1", "Practice sharing of other providers", "seeds: rapidly disseminate good practice");
    b.f("providers_common.info_sharing", 0.3, 0.0, 1.0, "0-1", "Information sharing of other providers with each other", "competitors share little");
    b.f("providers_common.markup", 0.12, -0.5, 2.0, "fraction of cost", "Mark-up at balanced power", "commercial margin");
    // --- contracts
    b.f("contracts.initial_term_months", 18.0, 0.0, 120.0, "months", "Term of the first agreements", "brief: service agreements usually ran 18 months at first");
    b.f("contracts.renewal_term_months", 12.0, 1.0, 120.0, "months", "Term of renewals and new contracts", "annual SLAs");
    b.f("contracts.notice_months", 12.0, 0.0, 36.0, "months", "Notice a CCG must give to leave an external provider", "seeds: CSUs pressed for 12 months; CCGs wanted 6");
    b.f("contracts.switching_cost", 0.1, 0.0, 2.0, "quality", "Utility cost of changing arrangement", "transition effort and risk");
    b.f("contracts.switching_cost_money", 1.0, 0.0, 100.0, "GBP/head (one-off)", "Money cost of a change (procurement, transition)", "modelling choice");
    b.f("contracts.competence_effect", 0.6, 0.0, 1.0, "fraction", "Share of the switching cost a fully competent CCG avoids", "seeds: develop competence in switching");
    b.f("contracts.return_multiplier", 2.0, 1.0, 20.0, "multiplier", "Switching cost multiplier to return to a provider after in-sourcing", "seeds: once it's gone, it's gone");
    b.f("contracts.outcome_target", 0.6, 0.0, 1.0, "quality", "Quality target of outcome-based payment", "seeds: outcome-based KPIs");
    b.f("contracts.outcome_slope", 1.0, 0.0, 20.0, "fee fraction per unit shortfall", "Fee reduction per unit of quality below target", "seeds: sliding scale");
    b.f("contracts.outcome_max_reduction", 0.2, 0.0, 1.0, "fraction", "Largest fee reduction", "modelling choice");
    // --- choice
    b.f("choice.temperature", 0.04, 0.001, 10.0, "quality", "Logit noise: utility difference that changes odds by e", "bounded rationality");
    b.f("choice.review_probability", 0.05, 0.0, 1.0, "per line per round", "Chance a satisfied CCG reviews a line anyway", "seeds: keep build/buy decisions under review");
    b.f("choice.risk_weight", 1.0, 0.0, 10.0, "per unit sd", "Penalty per unit of belief uncertainty, times risk aversion", "risk aversion");
    b.f("choice.stay_bias", 0.03, 0.0, 1.0, "quality", "Preference for the current arrangement", "status quo bias");
    b.f("choice.partnership_weight", 0.1, 0.0, 1.0, "quality", "Preference to stay, times orientation and relationship strength", "seeds: partnership CCGs value stability");
    b.i("choice.changes_per_round", 2, 1.0, 20.0, "changes", "Most lines a CCG changes in one round", "CCGs are not time rich");
    // --- power
    b.f("power.alternatives_half", 3.0, 0.1, 100.0, "providers", "Alternatives at which that attribute reaches 0.5", "modelling choice");
    b.f("power.share_half", 0.1, 0.001, 1.0, "fraction", "Revenue share at which the buyer-importance attribute reaches 0.5", "modelling choice");
    b.f("power.threshold", 0.5, 0.0, 1.0, "0-1", "Score above which power counts as high (Cox quadrants)", "Cox (2001): a two-by-two of high and low");
    b.f("power.weight_alternatives", 1.0, 0.0, 10.0, "weight", "Weight of alternatives in reach", "Cox: number of suppliers");
    b.f("power.weight_switching", 1.0, 0.0, 10.0, "weight", "Weight of switching costs", "Cox: switching costs");
    b.f("power.weight_share", 1.0, 0.0, 10.0, "weight", "Weight of mutual revenue and spend shares", "Cox: relative utility and scarcity");
    b.f("power.weight_information", 1.0, 0.0, 10.0, "weight", "Weight of information quality", "Cox: information asymmetry");
    b.f("power.weight_collective", 1.0, 0.0, 10.0, "weight", "Weight of collective action (buyers) and information sharing (suppliers)", "seeds: act as a collective; CSSs share information");
    b.f("power.weight_inhouse", 1.0, 0.0, 10.0, "weight", "Weight of the credibility of the in-house option", "seeds: keep build/buy decisions under review");
    // --- the centre's policies
    b.year("policy.checkpoints.year", Some(2013.0), "When CSU candidates face checkpoints (at the start: before go-live)", "seeds: checkpoints in 2012, before April 2013");
    b.f("policy.checkpoints.threshold", 0.3, 0.0, 1.0, "score", "Business-plan score below which a CSU fails", "calibrated: about 23 of 25 pass");
    b.f("policy.checkpoints.noise_sd", 0.1, 0.0, 1.0, "score", "Noise in the assessment", "modelling choice");
    b.year("policy.authorisation_end.year", Some(2015.0), "When authorisation pressure ends and CCGs may leave CSUs", "seeds: authorisation constrained CCGs; that process is coming to an end");
    b.year("policy.market_opening.year", Some(2015.0), "When other providers begin to enter", "seeds: full procurement within 18 months");
    b.f("policy.market_opening.entry_spread_years", 2.0, 0.0, 20.0, "years", "Entry dates are spread uniformly over this many years", "modelling choice");
    b.year("policy.framework.year", None, "When the procurement framework is let (null: never)", "seeds: the centre's procurement framework");
    b.i("policy.framework.slots_per_line", 12, 1.0, 1000.0, "providers", "Providers admitted per service line", "brief: 'what if 5 slots instead of 12?'");
    b.other(Kind::Choice(OFF_FRAMEWORK), "policy.framework.off_framework", Some(json!("merge")), "-", "Fate of CSUs with no slot: merged into a framework CSU, exit, or wind down their contracts", "seeds: forces CSUs to merge or specialise");
    b.f("policy.framework.distraction", 0.3, 0.0, 1.0, "0-1", "Distraction added to every CSU by the procurement", "seeds: the framework diverts management time");
    b.f("policy.framework.score_noise_sd", 0.05, 0.0, 1.0, "quality", "Noise in the framework evaluation", "modelling choice");
    b.year("policy.externalisation.year", None, "When CSUs are externalised from the NHS (null: never)", "seeds: the centre's level playing field");
    b.f("policy.externalisation.staff_loss", 0.15, 0.0, 1.0, "fraction", "Share of CSU staff lost", "seeds: staff will leave");
    b.f("policy.externalisation.new_leadership", 0.75, 0.0, 1.0, "0-1", "Leadership potential after externalisation (if higher)", "brief: new leadership");
    b.f("policy.externalisation.private_partnership_share", 0.5, 0.0, 1.0, "fraction", "Share of CSUs that form a private partnership", "brief: private partnerships");
    b.f("policy.externalisation.info_sharing_after", 0.3, 0.0, 1.0, "0-1", "Information sharing among CSUs once no longer hosted", "competitors share less");
    b.other(Kind::Choice(REACH), "policy.externalisation.reach", Some(json!("national")), "-", "CSU reach after externalisation", "a level playing field");
    b.year("policy.insourcing_guidance.year", None, "When guidance makes in-sourcing harder (null: never)", "seeds: make/buy/share analysis");
    b.f("policy.insourcing_guidance.hurdle", 0.1, 0.0, 1.0, "quality", "Utility hurdle on the make option", "seeds");
    b.f("policy.insourcing_guidance.cost_per_head", 1.0, 0.0, 100.0, "GBP/head (one-off)", "Money cost of the required analysis", "seeds");
    b.year("policy.efficiency_requirement.year", Some(2014.0), "When CSU prices must start falling (null: never)", "seeds: the NHSCB told CSS to include 4%");
    b.f("policy.efficiency_requirement.rate", 0.04, 0.0, 0.5, "per year", "Required yearly fall in CSU prices", "seeds: 4% a year");
    b.f("policy.efficiency_requirement.leadership_for_full", 0.6, 0.01, 1.0, "0-1", "Leadership at which a CSU finds the whole saving in its costs (less in proportion below)", "modelling choice: savings need management");
    b.year("policy.platform.year", None, "When CCGs get a platform to share supplier experience (null: never)", "seeds: an online mechanism of sharing experiences");
    b.f("policy.platform.participation", 0.8, 0.0, 1.0, "fraction", "Share of CCGs reporting and reading (collective action)", "modelling choice");
    b.f("policy.platform.transparency", 0.8, 0.0, 1.0, "0-1", "Price transparency the platform brings", "seeds: costs are not transparent");
    b.0.push(Param { path: "policy.ccg_mergers", kind: Kind::Objects, default: Some(json!([])), min: Some(0.0), max: Some(50.0), unit: "-", description: "CCG merger waves", source: "seeds: CCGs merge and collaborate over larger footprints; none in 2013" });
    b.item(Kind::Float, "policy.ccg_mergers[].year", 1990.0, 2100.0, "year", "When the wave happens");
    b.item(Kind::Float, "policy.ccg_mergers[].share", 0.0, 1.0, "fraction", "Share of current CCGs (smallest first) that merge");
    b.item(Kind::Int, "policy.ccg_mergers[].group_size", 2.0, 50.0, "CCGs", "CCGs per merged group");
    b.item(Kind::Float, "policy.ccg_mergers[].collaboration", 0.0, 1.0, "0-1", "Collective action gained by CCGs in the wave's region-wide collaborations");
    b.year("policy.acs_shift.year", None, "When transactional lines start moving to accountable care systems (null: never)", "seeds: transactional tasks may transfer to ACSs");
    b.f("policy.acs_shift.demand_reduction", 0.5, 0.0, 1.0, "fraction", "Eventual fall in demand for transactional lines", "modelling choice");
    b.f("policy.acs_shift.ramp_years", 3.0, 0.0, 20.0, "years", "Years over which the shift phases in", "modelling choice");
    b.0
}

pub static REGISTRY: LazyLock<Vec<Param>> = LazyLock::new(build);

/// The registry entry for a path (`service_lines[].name` form for list items).
pub fn lookup(path: &str) -> Option<&'static Param> {
    REGISTRY.iter().find(|p| p.path == path)
}

/// The default scenario built from the registry: what `configs/baseline.json` must hold.
pub fn defaults() -> Value {
    let mut root = Map::new();
    for p in REGISTRY.iter() {
        let Some(v) = &p.default else { continue };
        let mut node = &mut root;
        let parts: Vec<&str> = p.path.split('.').collect();
        for part in &parts[..parts.len() - 1] {
            node = node
                .entry(part.to_string())
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .expect("registry paths nest objects");
        }
        node.insert(parts[parts.len() - 1].to_string(), v.clone());
    }
    Value::Object(root)
}

/// Registered leaf paths under an object path (`""` for the top level), used for
/// suggestions on unknown keys.
pub fn children(prefix: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for p in REGISTRY.iter() {
        let rest = if prefix.is_empty() {
            Some(p.path)
        } else {
            p.path.strip_prefix(prefix).and_then(|r| r.strip_prefix('.'))
        };
        if let Some(r) = rest {
            let first = r.split('.').next().unwrap_or(r);
            let first = first.trim_end_matches("[]").to_string();
            if !out.contains(&first) {
                out.push(first);
            }
        }
    }
    out
}

/// Is `path` an object node (a prefix of registered paths) rather than a leaf?
pub fn is_object_node(path: &str) -> bool {
    let dotted = format!("{path}.");
    REGISTRY.iter().any(|p| p.path.starts_with(&dotted))
}

pub fn default_text(p: &Param) -> String {
    match &p.default {
        None => "(per item)".into(),
        Some(Value::Array(a)) if a.iter().any(|x| x.is_object()) => format!("({} entries)", a.len()),
        Some(v) => v.to_string(),
    }
}

fn bound(x: Option<f64>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

pub fn range_text(p: &Param) -> (String, String) {
        match &p.kind {
        Kind::Choice(c) => (c.join(" | "), String::new()),
        Kind::Bool => ("true | false".into(), String::new()),
        Kind::Name | Kind::NameList => ("names".into(), String::new()),
        Kind::Objects => (format!("{} entries", bound(p.min)), format!("{} entries", bound(p.max))),
        _ => (bound(p.min), bound(p.max)),
    }
}

/// The parameter table in Markdown, as it appears in docs/ODD.md.
pub fn markdown_table() -> String {
    let mut s = String::from("| path | default | min | max | unit | description | source or rationale |\n|---|---|---|---|---|---|---|\n");
    for p in REGISTRY.iter() {
        let (lo, hi) = range_text(p);
        s.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} | {} |\n",
            p.path,
            default_text(p).replace('|', "\\|"),
            lo.replace('|', "\\|"),
            hi,
            p.unit,
            p.description,
            p.source
        ));
    }
    s
}


//! Metrics (ODD section 9): one value per metric per step, national and by service
//! line. The tables below are the single source of names, units and descriptions.
//! An undefined value is NaN here and an empty cell in the CSV files.

use super::agents::{Arrangement, SupplierKind};
use super::power::Quadrant;
use super::Market;

/// Definition of a metric: name, unit, description, can it be undefined.
#[derive(Debug, Clone, Copy)]
pub struct MetricDef {
    pub name: &'static str,
    pub unit: &'static str,
    pub description: &'static str,
    pub undefined_when: Option<&'static str>,
    /// Shown in comparison tables and forest plots.
    pub headline: bool,
}

macro_rules! metrics {
    ($enum:ident, $table:ident, $( $variant:ident => ($name:expr, $unit:expr, $desc:expr, $undef:expr, $head:expr) ),+ $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(usize)]
        pub enum $enum { $( $variant ),+ }
        pub const $table: &[MetricDef] = &[ $( MetricDef { name: $name, unit: $unit, description: $desc, undefined_when: $undef, headline: $head } ),+ ];
    };
}

metrics! { Metric, METRICS,
    CcgsActive => ("ccgs_active", "CCGs", "CCGs in existence (after mergers)", None, false),
    SuppliersActiveCsu => ("suppliers_active_csu", "CSUs", "Active CSUs", None, true),
    SuppliersActiveOther => ("suppliers_active_other", "providers", "Active other providers (private, charity, local authority, trust)", None, false),
    Hhi => ("hhi", "0-1", "Herfindahl-Hirschman index of external providers' revenue shares (national, all lines)", Some("no external contracts"), true),
    ShareInHouse => ("share_in_house", "fraction", "Share of CCG service lines provided in house", None, true),
    ShareShared => ("share_shared", "fraction", "Share of CCG service lines provided by another CCG's team", None, false),
    ShareCsu => ("share_csu", "fraction", "Share of CCG service lines bought from a CSU", None, false),
    ShareOther => ("share_other", "fraction", "Share of CCG service lines bought from another provider", None, false),
    SwitchingRate => ("switching_rate", "per line per year", "Moves to an external provider (switches, outsourcing, returns) over the trailing 12 months, per CCG service line", None, false),
    InsourcingRate => ("insourcing_rate", "per line per year", "Lines taken in house, alone or jointly (shared), over the trailing 12 months, per CCG service line", None, false),
    QualityMean => ("quality_mean", "quality 0-1", "Mean realised quality over all CCG service lines", None, true),
    QualitySd => ("quality_sd", "quality 0-1", "Standard deviation of realised quality over CCG service lines", None, false),
    ShareDissatisfied => ("share_dissatisfied", "fraction", "Share of CCGs whose mean satisfaction is below their aspiration", None, true),
    PricePerHeadMean => ("price_per_head_mean", "GBP/head/year", "Population-weighted mean price of external contracts", Some("no external contracts"), true),
    MarkupMean => ("markup_mean", "fraction of cost", "Realised mark-up: external payments over providers' unit costs, minus one", Some("no external contracts"), true),
    SpendTotal => ("spend_total", "GBP/year", "CCGs' spend on commissioning support (external, in house, shared, transition costs), annualised", None, true),
    SavingsVsStart => ("savings_vs_start", "GBP/year", "Spend at step 0 minus spend now", None, false),
    CapabilityMean => ("capability_mean", "quality 0-1", "Mean capability of active external providers over the lines they offer", Some("no active provider"), false),
    CapabilitySd => ("capability_sd", "quality 0-1", "Standard deviation of that capability", Some("no active provider"), false),
    Exits => ("exits", "providers per year", "Providers that left the market in the trailing 12 months", None, false),
    Mergers => ("mergers", "per year", "CSU mergers (absorptions) in the trailing 12 months", None, false),
    BuyerPowerMean => ("buyer_power_mean", "0-1", "Mean buyer power over relationships", Some("no external contracts"), true),
    SupplierPowerMean => ("supplier_power_mean", "0-1", "Mean supplier power over relationships", Some("no external contracts"), true),
    QuadrantBuyerDominance => ("quadrant_buyer_dominance", "relationships", "Relationships in buyer dominance (Cox)", None, false),
    QuadrantInterdependence => ("quadrant_interdependence", "relationships", "Relationships in interdependence (Cox)", None, false),
    QuadrantIndependence => ("quadrant_independence", "relationships", "Relationships in independence (Cox)", None, false),
    QuadrantSupplierDominance => ("quadrant_supplier_dominance", "relationships", "Relationships in supplier dominance (Cox)", None, false),
    Relationships => ("relationships", "relationships", "External contracts (CCG service lines with a CSU or another provider)", None, false),
    SpendPerHead => ("spend_per_head", "GBP/head/year", "Support spend per head of registered population", None, false),
    CapabilityMeanCsu => ("capability_mean_csu", "quality 0-1", "Mean capability of active CSUs", Some("no active CSU"), false),
    QualityMeanCsu => ("quality_mean_csu", "quality 0-1", "Mean realised quality of lines bought from CSUs", Some("no CSU contracts"), false),
    QualityMeanOther => ("quality_mean_other", "quality 0-1", "Mean realised quality of lines bought from other providers", Some("no such contracts"), false),
    QualityMeanInHouse => ("quality_mean_in_house", "quality 0-1", "Mean realised quality of in-house lines", Some("no in-house lines"), false),
    QualityMeanShared => ("quality_mean_shared", "quality 0-1", "Mean realised quality of shared lines", Some("no shared lines"), false),
    InhouseCapabilityMean => ("inhouse_capability_mean", "quality 0-1", "Mean in-house capability of lines run in house", Some("no in-house lines"), false),
    RelationshipMean => ("relationship_mean", "0-1", "Mean relationship strength of external contracts", Some("no external contracts"), false),
    CustomerFocusMean => ("customer_focus_mean", "0-1", "Mean customer focus of active CSUs", Some("no active CSU"), false),
    PriceDispersion => ("price_dispersion", "coefficient of variation", "Mean over provider-lines of the coefficient of variation of prices paid", Some("no provider-line with two customers"), false),
    ReservesCsu => ("reserves_csu", "GBP", "Total reserves of active CSUs", None, false),
    SuppliersOnFramework => ("suppliers_on_framework", "providers", "Active providers holding at least one framework slot", None, false),
    SwitchingCumulative => ("switching_cumulative", "changes", "Moves to an external provider since the start", None, false),
    InsourcingCumulative => ("insourcing_cumulative", "changes", "Lines taken in house, alone or shared, since the start", None, false),
    ExitsCumulative => ("exits_cumulative", "providers", "Providers that left the market since the start", None, false),
    MergersCumulative => ("mergers_cumulative", "mergers", "CSU mergers since the start", None, false),
}

metrics! { LineMetric, LINE_METRICS,
    LShareInHouse => ("share_in_house", "fraction", "Share of CCGs providing the line in house", None, false),
    LShareShared => ("share_shared", "fraction", "Share of CCGs sharing another CCG's team", None, false),
    LShareCsu => ("share_csu", "fraction", "Share of CCGs buying the line from a CSU", None, false),
    LShareOther => ("share_other", "fraction", "Share of CCGs buying the line from another provider", None, false),
    LQualityMean => ("quality_mean", "quality 0-1", "Mean realised quality", None, false),
    LPricePerHeadMean => ("price_per_head_mean", "GBP/head/year", "Population-weighted mean price of external contracts", Some("no external contracts on the line"), false),
    LHhi => ("hhi", "0-1", "HHI of external providers' revenue shares on the line", Some("no external contracts on the line"), false),
    LShareDissatisfied => ("share_dissatisfied", "fraction", "Share of CCGs whose satisfaction with the line is below aspiration", None, false),
    LCapabilityMean => ("capability_mean", "quality 0-1", "Mean capability of active providers offering the line", Some("no provider offers it"), false),
    LSwitchingRate => ("switching_rate", "per CCG per year", "Moves to an external provider, trailing 12 months, per CCG", None, false),
    LInsourcingRate => ("insourcing_rate", "per CCG per year", "Moves in house or to a shared team, trailing 12 months, per CCG", None, false),
    LSpendTotal => ("spend_total", "GBP/year", "CCGs' spend on the line, annualised", None, false),
    LBuyerPowerMean => ("buyer_power_mean", "0-1", "Mean buyer power of the line's relationships", Some("no external contracts on the line"), false),
    LSupplierPowerMean => ("supplier_power_mean", "0-1", "Mean supplier power of the line's relationships", Some("no external contracts on the line"), false),
}

pub const N_METRICS: usize = METRICS.len();
pub const N_LINE_METRICS: usize = LINE_METRICS.len();

/// The metric values of one step.
#[derive(Debug, Clone, Default)]
pub struct MetricValues {
    pub national: Vec<f64>,
    /// `line * N_LINE_METRICS + metric`.
    pub by_line: Vec<f64>,
}

impl MetricValues {
    pub fn new(n_lines: usize) -> Self {
        MetricValues { national: vec![f64::NAN; N_METRICS], by_line: vec![f64::NAN; n_lines * N_LINE_METRICS] }
    }
    #[inline]
    pub fn get(&self, m: Metric) -> f64 {
        self.national[m as usize]
    }
    #[inline]
    pub fn line(&self, l: usize, m: LineMetric) -> f64 {
        self.by_line[l * N_LINE_METRICS + m as usize]
    }
}

/// Index of a metric by name.
pub fn metric_index(name: &str) -> Option<usize> {
    METRICS.iter().position(|m| m.name == name)
}

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 {
        a / b
    } else {
        f64::NAN
    }
}

/// Mean and (population) standard deviation from sums; the quantities summed are
/// bounded in [0, 1], so the sum-of-squares form loses nothing that matters.
#[derive(Default, Clone, Copy)]
struct Acc {
    n: f64,
    s: f64,
    s2: f64,
}
impl Acc {
    #[inline]
    fn add(&mut self, x: f64) {
        self.n += 1.0;
        self.s += x;
        self.s2 += x * x;
    }
    fn mean(&self) -> f64 {
        if self.n > 0.0 {
            self.s / self.n
        } else {
            f64::NAN
        }
    }
    fn sd(&self) -> f64 {
        if self.n > 0.0 {
            let m = self.s / self.n;
            (self.s2 / self.n - m * m).max(0.0).sqrt()
        } else {
            f64::NAN
        }
    }
}

impl Market {
    /// Compute this step's metrics into `self.metrics`.
    pub fn record_metrics(&mut self) {
        use LineMetric as L;
        use Metric as M;
        let nl = self.n_lines();
        let np = self.sup.len();
        let spy = self.cfg.time.steps_per_year as usize;
        // trailing-year flows
        let slot = self.step as usize % spy;
        self.flow_ring[slot].clone_from(&self.flows);
        self.cumulative.switches += self.flows.switches;
        self.cumulative.insources += self.flows.insources;
        self.cumulative.exits += self.flows.exits;
        self.cumulative.mergers += self.flows.mergers;
        let (mut sw, mut ins, mut ex, mut mg) = (0u32, 0u32, 0u32, 0u32);
        for f in &self.flow_ring {
            sw += f.switches;
            ins += f.insources;
            ex += f.exits;
            mg += f.mergers;
        }
        let thr = self.cfg.power.threshold;
        let mut v = std::mem::take(&mut self.metrics);
        v.national.iter_mut().for_each(|x| *x = f64::NAN);
        v.by_line.iter_mut().for_each(|x| *x = 0.0);
        let mut rate_pl = std::mem::take(&mut self.scratch_pl);
        rate_pl.iter_mut().for_each(|x| *x = [0.0; 4]);

        // counts by arrangement are the counts of the quality accumulators; in-house
        // capability, relationship and power are plain sums over those counts
        let mut q = Acc::default();
        let (mut q_csu, mut q_oth, mut q_in, mut q_sh) = (Acc::default(), Acc::default(), Acc::default(), Acc::default());
        let (mut h_in, mut rel, mut bp, mut sp) = (0.0, 0.0, 0.0, 0.0);
        let mut quad = [0.0f64; 4];
        let (mut pay_ext, mut pop_ext) = (0.0, 0.0);
        let mut paid = 0.0;
        let mut cost_ext = 0.0;
        let mut dissatisfied = 0.0;
        let mut n_ccg = 0.0;
        let mut spend = 0.0;
        let mut pop_total = 0.0;
        // per-line scratch: pop-weighted price sums and power sums in by_line slots
        let mut line_pop = [0.0f64; 32];
        let mut line_n_ext = [0.0f64; 32];
        let demand = &self.centre.demand[..nl];
        let is_csu: &mut [bool] = &mut self.scratch_csu;
        is_csu.iter_mut().zip(&self.sup).for_each(|(x, s)| *x = s.is_csu());
        let rpl = &mut rate_pl[..];
        for (c, cons) in self.ccgs.iter().zip(self.con.chunks_exact(nl)) {
            if !c.active {
                continue;
            }
            n_ccg += 1.0;
            spend += c.spend;
            pop_total += c.population;
            let mut gap = 0.0;
            for (l, ((ct, d), b)) in cons.iter().zip(demand).zip(v.by_line.chunks_exact_mut(N_LINE_METRICS)).enumerate() {
                gap += ct.satisfaction - ct.aspiration;
                q.add(ct.q);
                b[L::LQualityMean as usize] += ct.q;
                if ct.satisfaction < ct.aspiration {
                    b[L::LShareDissatisfied as usize] += 1.0;
                }
                let money = ct.price * c.population * d;
                b[L::LSpendTotal as usize] += money;
                match ct.arr {
                    Arrangement::InHouse => {
                        q_in.add(ct.q);
                        h_in += ct.h;
                        b[L::LShareInHouse as usize] += 1.0;
                    }
                    Arrangement::Shared(_) => {
                        q_sh.add(ct.q);
                        b[L::LShareShared as usize] += 1.0;
                    }
                    Arrangement::External(p) => {
                        if is_csu[p.ix()] {
                            q_csu.add(ct.q);
                            b[L::LShareCsu as usize] += 1.0;
                        } else {
                            q_oth.add(ct.q);
                            b[L::LShareOther as usize] += 1.0;
                        }
                        let ph = ct.price * c.population;
                        pay_ext += ph;
                        pop_ext += c.population;
                        paid += money * ct.fee;
                        let r = &mut rpl[p.ix() * nl + l];
                        r[0] += money;
                        r[1] += 1.0;
                        r[2] += ct.price;
                        r[3] += ct.price * ct.price;
                        line_pop[l] += c.population;
                        line_n_ext[l] += 1.0;
                        b[L::LPricePerHeadMean as usize] += ph;
                        b[L::LBuyerPowerMean as usize] += ct.bp;
                        b[L::LSupplierPowerMean as usize] += ct.sp;
                        rel += ct.relationship;
                        bp += ct.bp;
                        sp += ct.sp;
                        quad[Quadrant::of(ct.bp, ct.sp, thr) as usize] += 1.0;
                    }
                }
            }
            if gap < 0.0 {
                dissatisfied += 1.0;
            }
        }
        // provider costs at current volumes, concentration, capability
        let mut cap = Acc::default();
        let mut cap_csu = Acc::default();
        let mut focus = Acc::default();
        let (mut n_act_csu, mut n_act_oth, mut on_fw) = (0.0, 0.0, 0.0);
        let mut reserves = 0.0;
        let mut rate_total = 0.0;
        for p in 0..np {
            let s = &self.sup[p];
            if !s.active() {
                continue;
            }
            match s.kind {
                SupplierKind::Csu => {
                    n_act_csu += 1.0;
                    reserves += s.reserves;
                    focus.add(s.focus);
                }
                SupplierKind::Other(_) => n_act_oth += 1.0,
            }
            if s.slots != 0 {
                on_fw += 1.0;
            }
            for l in 0..nl {
                if s.offers(l) {
                    cap.add(s.cap[l]);
                    if s.is_csu() {
                        cap_csu.add(s.cap[l]);
                    }
                    let base = l * N_LINE_METRICS;
                    v.by_line[base + L::LCapabilityMean as usize] += s.cap[l];
                    v.by_line[base + L::LHhi as usize] += 1.0; // count of offering providers (temporary)
                }
                let vol = s.vol[l];
                if vol > 0.0 {
                    cost_ext += self.unit_cost(p, l) * vol;
                }
                rate_total += rpl[p * nl + l][0];
            }
        }
        let mut hhi = 0.0;
        if rate_total > 0.0 {
            for p in 0..np {
                let r: f64 = rpl[p * nl..(p + 1) * nl].iter().map(|x| x[0]).sum();
                hhi += (r / rate_total) * (r / rate_total);
            }
        }
        // price dispersion: CV of prices per provider-line with two or more customers
        let (mut cv_sum, mut cv_n) = (0.0, 0.0);
        for r in rpl.iter() {
            let n = r[1];
            if n >= 2.0 {
                let mean = r[2] / n;
                let var = (r[3] / n - mean * mean).max(0.0);
                if mean > 0.0 {
                    cv_sum += var.sqrt() / mean;
                    cv_n += 1.0;
                }
            }
        }
        let disp = ratio(cv_sum, cv_n);

        let (n_in, n_sh, n_csu, n_oth) = (q_in.n, q_sh.n, q_csu.n, q_oth.n);
        let n_ext = n_csu + n_oth;
        let contracts = n_ccg * nl as f64;
        let set = |v: &mut MetricValues, m: M, x: f64| v.national[m as usize] = x;
        set(&mut v, M::CcgsActive, n_ccg);
        set(&mut v, M::SuppliersActiveCsu, n_act_csu);
        set(&mut v, M::SuppliersActiveOther, n_act_oth);
        set(&mut v, M::Hhi, if rate_total > 0.0 { hhi } else { f64::NAN });
        set(&mut v, M::ShareInHouse, ratio(n_in, contracts));
        set(&mut v, M::ShareShared, ratio(n_sh, contracts));
        set(&mut v, M::ShareCsu, ratio(n_csu, contracts));
        set(&mut v, M::ShareOther, ratio(n_oth, contracts));
        set(&mut v, M::SwitchingRate, ratio(sw as f64, contracts));
        set(&mut v, M::InsourcingRate, ratio(ins as f64, contracts));
        set(&mut v, M::QualityMean, q.mean());
        set(&mut v, M::QualitySd, q.sd());
        set(&mut v, M::ShareDissatisfied, ratio(dissatisfied, n_ccg));
        set(&mut v, M::PricePerHeadMean, ratio(pay_ext, pop_ext));
        set(&mut v, M::MarkupMean, if cost_ext > 0.0 { paid / cost_ext - 1.0 } else { f64::NAN });
        set(&mut v, M::SpendTotal, spend);
        set(&mut v, M::SavingsVsStart, if self.step == 0 { 0.0 } else { self.spend_start - spend });
        set(&mut v, M::CapabilityMean, cap.mean());
        set(&mut v, M::CapabilitySd, cap.sd());
        set(&mut v, M::Exits, ex as f64);
        set(&mut v, M::Mergers, mg as f64);
        set(&mut v, M::BuyerPowerMean, ratio(bp, n_ext));
        set(&mut v, M::SupplierPowerMean, ratio(sp, n_ext));
        set(&mut v, M::QuadrantBuyerDominance, quad[Quadrant::BuyerDominance as usize]);
        set(&mut v, M::QuadrantInterdependence, quad[Quadrant::Interdependence as usize]);
        set(&mut v, M::QuadrantIndependence, quad[Quadrant::Independence as usize]);
        set(&mut v, M::QuadrantSupplierDominance, quad[Quadrant::SupplierDominance as usize]);
        set(&mut v, M::Relationships, n_csu + n_oth);
        set(&mut v, M::SpendPerHead, ratio(spend, pop_total));
        set(&mut v, M::CapabilityMeanCsu, cap_csu.mean());
        set(&mut v, M::QualityMeanCsu, q_csu.mean());
        set(&mut v, M::QualityMeanOther, q_oth.mean());
        set(&mut v, M::QualityMeanInHouse, q_in.mean());
        set(&mut v, M::QualityMeanShared, q_sh.mean());
        set(&mut v, M::InhouseCapabilityMean, ratio(h_in, n_in));
        set(&mut v, M::RelationshipMean, ratio(rel, n_ext));
        set(&mut v, M::CustomerFocusMean, focus.mean());
        set(&mut v, M::PriceDispersion, disp);
        set(&mut v, M::ReservesCsu, reserves);
        set(&mut v, M::SuppliersOnFramework, if self.centre.framework { on_fw } else { 0.0 });
        set(&mut v, M::SwitchingCumulative, self.cumulative.switches as f64);
        set(&mut v, M::InsourcingCumulative, self.cumulative.insources as f64);
        set(&mut v, M::ExitsCumulative, self.cumulative.exits as f64);
        set(&mut v, M::MergersCumulative, self.cumulative.mergers as f64);

        // per line: turn sums into means and shares
        for l in 0..nl {
            let base = l * N_LINE_METRICS;
            let (mut s_l, mut i_l) = (0u32, 0u32);
            for f in &self.flow_ring {
                s_l += f.line_switches[l];
                i_l += f.line_insources[l];
            }
            let offering = v.by_line[base + L::LHhi as usize];
            let line_rate: f64 = (0..np).map(|p| rpl[p * nl + l][0]).sum();
            let line_hhi = if line_rate > 0.0 { (0..np).map(|p| { let s = rpl[p * nl + l][0] / line_rate; s * s }).sum() } else { f64::NAN };
            let b = &mut v.by_line[base..base + N_LINE_METRICS];
            for m in [L::LShareInHouse, L::LShareShared, L::LShareCsu, L::LShareOther, L::LQualityMean, L::LShareDissatisfied] {
                b[m as usize] = ratio(b[m as usize], n_ccg);
            }
            b[L::LPricePerHeadMean as usize] = ratio(b[L::LPricePerHeadMean as usize], line_pop[l]);
            b[L::LBuyerPowerMean as usize] = ratio(b[L::LBuyerPowerMean as usize], line_n_ext[l]);
            b[L::LSupplierPowerMean as usize] = ratio(b[L::LSupplierPowerMean as usize], line_n_ext[l]);
            b[L::LCapabilityMean as usize] = ratio(b[L::LCapabilityMean as usize], offering);
            b[L::LHhi as usize] = line_hhi;
            b[L::LSwitchingRate as usize] = ratio(s_l as f64, n_ccg);
            b[L::LInsourcingRate as usize] = ratio(i_l as f64, n_ccg);
        }
        self.scratch_pl = rate_pl;
        self.metrics = v;
    }
}

/// The metric tables in Markdown (national and by line).
pub fn markdown_table() -> String {
    let mut s = String::new();
    for (title, defs) in [("National metrics (`series.csv`, `summary.csv`)", METRICS), ("Per service line (`series_by_line.csv`, `summary_by_line.csv`)", LINE_METRICS)] {
        s.push_str(&format!("**{title}**\n\n| metric | unit | undefined | headline | description |\n|---|---|---|---|---|\n"));
        for m in defs {
            s.push_str(&format!(
                "| `{}` | {} | {} | {} | {} |\n",
                m.name,
                m.unit,
                m.undefined_when.map(|u| format!("when {u}")).unwrap_or_else(|| "never".into()),
                if m.headline { "yes" } else { "" },
                m.description
            ));
        }
        s.push('\n');
    }
    s
}


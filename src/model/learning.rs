//! Learning and organisational development (ODD 6.2): supplier leadership, morale,
//! practice sharing, customer focus, distraction, capacity and capability; in-house
//! capability; relationships; switching competence.

use super::agents::Arrangement;
use super::Market;

impl Market {
    pub fn learn(&mut self) {
        let dt = self.dt();
        let cfg = self.cfg.clone();
        let (cc, lc) = (&cfg.csus, &cfg.learning);
        let nl = self.n_lines();
        for p in 0..self.sup.len() {
            let lines = &self.lines;
            let s = &mut self.sup[p];
            if !s.active() {
                continue;
            }
            if s.is_csu() {
                s.leadership += (dt * cc.leadership_arrival).min(1.0) * (s.leadership_potential - s.leadership);
                s.sharing += (dt * cc.practice_sharing_rate * s.leadership).min(1.0) * (1.0 - s.sharing);
                s.distraction -= (dt * cc.distraction_decay).min(1.0) * s.distraction;
                let target = cc.morale_target * (0.5 + 0.5 * s.leadership) * (1.0 - s.distraction);
                s.morale += (dt * cc.morale_recovery).min(1.0) * (target - s.morale);
                let outcome_share = if s.revenue > 0.0 { s.outcome_revenue / s.revenue } else { 0.0 };
                let ft = (cc.customer_focus_base + cc.customer_focus_power_weight * (s.bp_mean - 0.5) + cc.customer_focus_outcome_weight * outcome_share - s.distraction).clamp(0.0, 1.0);
                s.focus += (dt * cc.customer_focus_rate).min(1.0) * (ft - s.focus);
            }
            let load = s.vol.iter().sum::<f64>() / 1.0e6;
            s.capacity += (dt * cc.capacity_adjust).min(1.0) * (cc.capacity_headroom * load - s.capacity);
            s.capacity = s.capacity.max(0.01);
            s.stretch = (load / s.capacity - 1.0).max(0.0);
            let boost_base = 1.0 + lc.investment_effect * s.investment_intensity + if s.private_partner { lc.private_partnership_effect } else { 0.0 };
            for l in 0..nl {
                if !s.offers(l) {
                    continue;
                }
                if s.vol[l] > 0.0 {
                    let n = s.customers[l].max(1) as f64;
                    let z = s.learn_z[l];
                    let part = s.partnership[l] / n;
                    let rate = lc.supplier_rate * (1.0 - lines[l].difficulty) * s.leadership * s.morale * z * (boost_base + lc.partnership_effect * part);
                    s.cap[l] += (dt * rate).min(1.0) * (1.0 - s.cap[l]);
                } else {
                    s.cap[l] -= (dt * lc.forgetting).min(1.0) * s.cap[l];
                }
            }
        }
        // in-house teams, relationships, competence
        let ih = &cfg.inhouse;
        let build = cfg.delivery.relationship_build_rate;
        let decay = cfg.ccgs.switching_competence_decay;
        // the step's fractions of the way to the target, per run and per CCG
        let (floor, h_decay) = (ih.floor, (dt * ih.decay_rate).min(1.0));
        for i in 0..self.ccgs.len() {
            let c = &self.ccgs[i];
            if !c.active {
                continue;
            }
            let orientation = c.orientation;
            let r_build = (dt * build * c.sessions / 3.0).min(1.0);
            for ct in self.con[i * nl..(i + 1) * nl].iter_mut() {
                match ct.arr {
                    Arrangement::InHouse => {
                        let r = if ct.h < ct.cap { ih.learning_rate * ct.learn_factor } else { ih.learning_rate };
                        ct.h += (dt * r).min(1.0) * (ct.cap - ct.h);
                    }
                    _ => {
                        if ct.h > floor {
                            ct.h -= h_decay * (ct.h - floor);
                        }
                        if let Arrangement::External(_) = ct.arr {
                            ct.relationship += r_build * (orientation - ct.relationship);
                        }
                    }
                }
            }
            self.ccgs[i].competence -= (dt * decay).min(1.0) * self.ccgs[i].competence;
        }
    }
}

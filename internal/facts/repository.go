package facts

import (
	"strconv"

	"github.com/csogate/csogate/internal/repofiles"
	"github.com/csogate/csogate/internal/safetyfile"
)

// Repository is what the head holds of the checked hazards' code and of
// their controls' evidence (policies/repository.rego): the
// HAZARD_COMPONENT_ORPHANED and CONTROL_EVIDENCE_MISSING rules.
type Repository struct {
	// Checked is false when no hazard needed checking or no list of the
	// repository's files was given; Why says which.
	Checked bool   `json:"checked"`
	Why     string `json:"why"`
	// Source names the file list ("GitHub's file tree of 3f2a9c1", "the
	// working directory").
	Source string `json:"source"`
	// Scope says which hazards were checked and why.
	Scope string `json:"scope"`
	// ControlEvidence is the configuration's warn | required.
	ControlEvidence string `json:"control_evidence"`
	// Hazards counts the hazards checked.
	Hazards  int                  `json:"hazards"`
	Orphaned []OrphanedHazard     `json:"orphaned"`
	Evidence []repofiles.Evidence `json:"evidence"`
}

// OrphanedHazard is a hazard not closed whose component globs match no
// file at the head.
type OrphanedHazard struct {
	ID           string   `json:"id"`
	Title        string   `json:"title"`
	Status       string   `json:"status"`
	ResidualRisk int      `json:"residual_risk"`
	Globs        []string `json:"globs"`
	// AllGlobs: none of its globs matches, so no change to its code is
	// gated as touching it.
	AllGlobs bool `json:"all_globs"`
	// File is where its components are written: the hazard log, or the
	// components map when the log names none.
	File string `json:"file"`
}

// RepositoryHazards chooses the hazards whose components and evidence are
// checked at the head: every hazard when the hazard log or the components
// map changed, or when the changed files are unknown (a full check); else
// the hazards the change set touches. Closed hazards are left out: their
// code going is expected, and they carry no live claim. The check then
// costs one pass over the repository's files per evaluation, whatever the
// log's size.
func RepositoryHazards(log *safetyfile.HazardLog, in *Input) (hazards []repofiles.Hazard, scope string) {
	all := !in.ChangedFilesKnown
	scope = "the hazards the change set touches"
	if all {
		scope = "every hazard, since no list of changed files was given"
	}
	for _, f := range in.SafetyFiles {
		if f.Kind == "hazard_log" || f.Kind == "components_map" {
			all, scope = true, "every hazard, since "+f.Path+" changed"
			break
		}
	}
	for i := range log.Hazards {
		h := &log.Hazards[i]
		if h.Status == "closed" {
			continue
		}
		if _, touched := in.Hazards[h.ID]; !all && !touched {
			continue
		}
		rh := repofiles.Hazard{ID: h.ID, Components: h.Components}
		for ci, c := range h.Controls {
			id := c.ID
			if id == "" {
				id = "control " + strconv.Itoa(ci+1)
			}
			rh.Controls = append(rh.Controls, repofiles.Control{ID: id, Evidence: c.Evidence})
		}
		hazards = append(hazards, rh)
	}
	return hazards, scope
}

// SetRepository records what the check found. componentsFile names where a
// hazard's components are written.
func (in *Input) SetRepository(log *safetyfile.HazardLog, res repofiles.Result, source string, componentsFile func(id string) string) {
	in.Repository.Checked, in.Repository.Why, in.Repository.Source = true, "", source
	byID := make(map[string]*safetyfile.Hazard, len(res.Orphaned))
	for _, o := range res.Orphaned {
		byID[o.Hazard] = nil
	}
	for i := range log.Hazards {
		if _, ok := byID[log.Hazards[i].ID]; ok {
			byID[log.Hazards[i].ID] = &log.Hazards[i]
		}
	}
	in.Repository.Orphaned = []OrphanedHazard{}
	for _, o := range res.Orphaned {
		h := byID[o.Hazard]
		in.Repository.Orphaned = append(in.Repository.Orphaned, OrphanedHazard{ID: h.ID, Title: h.Title, Status: h.Status,
			ResidualRisk: int(h.ResidualRisk()), Globs: o.Globs, AllGlobs: o.AllGlobs, File: componentsFile(h.ID)})
	}
	in.Repository.Evidence = res.Evidence
}

// Shapes of the server's JSON, derived from the server's own TypeBox schemas (type-only imports), so the contract has one source.
import type { Geometry } from 'geojson'
import type { Static } from 'typebox'
import type * as cases from '../../server/modules/cases/schemas'
import type * as workflow from '../../server/modules/cases/workflow-table'
import type { CalendarRules as ServerCalendarRules } from '../../server/modules/cases/calendar-settings'
import type { DayInfo } from '../../server/modules/cases/calendar'
import type { DispatchRule as ServerDispatchRule } from '../../server/modules/cases/matrix'
import type * as citizen from '../../server/modules/citizen/schemas'
import type * as classes from '../../server/modules/classes/schemas'
import type * as identity from '../../server/modules/identity/schemas'
import type * as org from '../../server/modules/org/schemas'
import type * as system from '../../server/modules/system/schemas'
import type { ErrorReply } from '../../server/platform/http'

export type Lang = 'zh-CN' | 'en'
export type ErrorBody = Static<typeof ErrorReply>

export type AppConfig = Static<typeof system.AppConfig>
export type BaseMap = AppConfig['baseMap']
export type Bbox = AppConfig['bbox']
export type AuditEntry = Static<typeof system.AuditEntry>

export type Me = Static<typeof identity.Me>
export type UnitRef = Me['unit']
export type LoginResult = Static<typeof identity.LoginReply>
export type User = Static<typeof identity.User>
export type Role = Static<typeof identity.Role>
export type Permission = Static<typeof identity.PermissionList>['items'][number]

export type Unit = Static<typeof org.Unit>
export type UnitKind = Static<typeof org.Kind>
export type Duty = Static<typeof org.Duty>
export type Cell = Static<typeof org.Cell>
export type CellPerson = Cell['people'][number]
export type CellFeatureProps = Static<typeof org.CellFeatureProps>
export type LookupResult = Static<typeof org.LookupReply>
export type PlaceRef = NonNullable<LookupResult['street']>
export type ImportResult = Static<typeof org.ImportReply>

export type CaseClass = Static<typeof classes.CaseClass>

/** One row of the case list (with its light); `Case` is the same shape. */
export type CaseSummary = Static<typeof cases.CaseSummary>
export type Case = CaseSummary
export type CaseDetail = Static<typeof cases.CaseDetail>
export type CaseTimelineEntry = CaseDetail['timeline'][number]
export type CaseLight = NonNullable<CaseSummary['light']>
export type Urgency = CaseSummary['urgency']
// The schemas build these unions from the workflow's lists (not tuples), so the names come from its table's types.
export type CaseState = workflow.CaseState
export type CaseSource = workflow.CaseSource
export type CaseActionType = workflow.ActionType
export type RejectReason = workflow.RejectReason
export type CaseActionBody = Omit<Static<typeof cases.ActionBody>, 'type' | 'rejectReason'> & { type: CaseActionType; rejectReason?: RejectReason }
export type CaseReport = Omit<Static<typeof cases.ReportBody>, 'source'> & { source: CaseSource }
export type CaseReportReply = Static<typeof cases.ReportReply>

/** One open case on the command map (GET /api/cases/map): where it is and how pressing it is. */
export type CaseMapItem = Static<typeof cases.MapCase>
/** `truncated`: more than the server's ceiling (10,000) matched; the most pressing are sent. */
export type CaseMapReply = Static<typeof cases.MapReply>

/** One notification of the signed-in user (GET /api/notifications). */
export interface AppNotification {
  id: string
  kind: string
  caseId: string | null
  payload: { ticket?: string; state?: string; deadline?: string; into?: string | null }
  createdAt: string
  readAt: string | null
}
export interface NotificationList {
  unread: number
  items: AppNotification[]
}

/** A rule of the responsibility matrix (class × area → disposal unit); `smallCode` null covers the whole big class. */
export type DispatchRule = ServerDispatchRule
export type DispatchRuleInput = Omit<DispatchRule, 'id'>

export type CalendarRules = ServerCalendarRules
export interface CalendarYear {
  rules: CalendarRules
  year: number
  hasOfficialData: boolean
  minutesPerDay: number
  specialDays: DayInfo[]
}

/** An uploaded file (photo): `POST /api/files` answers with its id and where to load it and its thumbnail. */
export interface StoredFile {
  id: string
  url: string
  thumbnailUrl: string
}

export interface Page<T> {
  items: T[]
  total: number
  /** The case list counts up to 2,000: more match than `total`. */
  totalCapped?: boolean
}

export interface CellCollection {
  type: 'FeatureCollection'
  features: Array<{ type: 'Feature'; id?: string | number; geometry: Geometry; properties: CellFeatureProps }>
}

// Citizen service (public pages; nothing personal in any of these)
export type ProblemType = Static<typeof citizen.ProblemTypeReply>
export type ProblemAttribute = ProblemType['attributes'][number]
export type Catalogue = Static<typeof citizen.CatalogueReply>
/** What anyone may see of a case: stage, class, place, dates; the text and photos only once staff published them. */
export type PublicCase = Static<typeof citizen.PublicCaseReply>
export type PublicStage = PublicCase['stage']
/** The reporter's view (by the secret token): the public case with their rating and whether they may rate now. */
export type ReporterView = Static<typeof citizen.ReporterReply>
export type SubmitReply = Static<typeof citizen.SubmitReply>
export type Rating = Static<typeof citizen.RateBody>['rating']
export type MyReports = Static<typeof citizen.MyReportsReply>
export type PublicMapReply = Static<typeof citizen.MapReply>
/** Staff: a citizen report's contact, channel, suspicion and ratings. */
export type ReporterOf = Static<typeof citizen.ReporterOfReply>
export type Publication = Static<typeof citizen.PublicationBody>

// Case settings (办案设置): the responsibility matrix and the working calendar, one tab each (?tab=, ?year= kept in
// the address). Everyone who reads cases may look; changing needs case:configure.
import { Tabs } from 'antd'
import { useSearchParams } from 'react-router'
import { useTranslation } from 'react-i18next'
import { CalendarTab } from './CalendarTab'
import { DispatchRulesTab } from './DispatchRulesTab'
import { Open311KeysTab } from './Open311KeysTab'
import { useAuth } from '../../app/auth'

type TabKey = 'matrix' | 'calendar' | 'open311'

/** This year in the district (UTC+8). */
function thisYear(): number {
  return Number(new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric' }).format(new Date()))
}

export default function CaseSettingsPage() {
  const { t } = useTranslation()
  const [params, setParams] = useSearchParams()
  const { can } = useAuth()
  const keys = can('case:configure')
  const asTab = params.get('tab')
  const tab: TabKey = asTab === 'calendar' ? 'calendar' : asTab === 'open311' && keys ? 'open311' : 'matrix'
  const asked = Number(params.get('year'))
  const year = Number.isInteger(asked) && asked >= 2000 && asked <= 2100 ? asked : thisYear()

  const go = (next: { tab?: TabKey; year?: number }) => {
    const nextTab = next.tab ?? tab
    setParams(nextTab === 'calendar' ? { tab: nextTab, year: String(next.year ?? year) } : { tab: nextTab }, { replace: true })
  }

  return (
    <div className="xh-page" data-testid="case-settings-page">
      <div className="xh-page-header">
        <h1>{t('caseSettings.title')}</h1>
      </div>
      <Tabs
        activeKey={tab}
        onChange={(key) => go({ tab: key as TabKey })}
        items={[
          { key: 'matrix', label: <span data-testid="settings-tab-matrix">{t('caseSettings.tabs.matrix')}</span>, children: <DispatchRulesTab /> },
          { key: 'calendar', label: <span data-testid="settings-tab-calendar">{t('caseSettings.tabs.calendar')}</span>, children: <CalendarTab year={year} onYear={(y) => go({ year: y })} /> },
          // Open311 keys are for administrators (the routes need case:configure)
          ...(keys ? [{ key: 'open311', label: <span data-testid="settings-tab-open311">{t('caseSettings.tabs.open311')}</span>, children: <Open311KeysTab /> }] : []),
        ]}
      />
    </div>
  )
}

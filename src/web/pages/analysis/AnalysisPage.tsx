// Analysis (分析研判): what happened (trends by class, source, street and unit; the top sources of each street), why
// (hot spots: grid cells and classes with recurring problems, as a heat map and a list with the reason) and what will
// happen (forecasts with their backtest error), over the user's data scope.
import { Tabs } from 'antd'
import { useTranslation } from 'react-i18next'
import { ForecastTab } from './ForecastTab'
import { HotspotsTab } from './HotspotsTab'
import { TrendsTab } from './TrendsTab'

export default function AnalysisPage() {
  const { t } = useTranslation()
  return (
    <div className="xh-page" data-testid="analysis-page">
      <div className="xh-page-header"><h1>{t('analysis.title')}</h1></div>
      <Tabs
        destroyOnHidden
        items={[
          { key: 'trends', label: t('analysis.trends'), children: <TrendsTab /> },
          { key: 'hotspots', label: t('analysis.hotspots'), children: <HotspotsTab /> },
          { key: 'forecast', label: t('analysis.forecast'), children: <ForecastTab /> },
        ]}
      />
    </div>
  )
}
